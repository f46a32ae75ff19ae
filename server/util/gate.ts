import PQueue from 'p-queue';

/**
 * A limit on how many callers are inside a section at once, for a section that spans several functions (a file's
 * read and decode, which end inside the stages): `enter()` waits for a place and hands back the function that gives
 * it up again (calling it twice gives it up once).
 */
export class Gate {
  readonly #queue: PQueue;

  constructor(places: number) {
    this.#queue = new PQueue({ concurrency: places });
  }

  enter(): Promise<() => void> {
    return new Promise((entered) => {
      void this.#queue.add(
        () =>
          new Promise<void>((leave) => {
            let inside = true;
            entered(() => {
              if (inside) {
                inside = false;
                leave();
              }
            });
          }),
      );
    });
  }
}
