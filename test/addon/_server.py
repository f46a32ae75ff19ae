"""Starts test/addon/ws_server.mjs (a real `ws` WebSocket server in Node) for a test and stops it."""

import os
import shutil
import subprocess
import threading

HERE = os.path.dirname(os.path.abspath(__file__))


class WsServer:
    def __init__(self, token="t0ken", port=0):
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not installed; the transport tests need it to run a real ws server")
        self.token = token
        self.proc = subprocess.Popen([node, os.path.join(HERE, "ws_server.mjs"), token, str(port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = [None]

        def read_port():
            line[0] = self.proc.stdout.readline()

        reader = threading.Thread(target=read_port, daemon=True)
        reader.start()
        reader.join(15)
        if not line[0] or not line[0].startswith("PORT "):
            self.stop()
            raise RuntimeError(f"ws test server did not start: {line[0]!r} {self.proc.stderr.read()!r}")
        self.port = int(line[0].split()[1])
        self.url = f"ws://127.0.0.1:{self.port}/ws"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
