import type { Command } from 'commander';
import { registerInit } from './init.ts';
import { registerProcess } from './process.ts';

/** Each command lives in its own module and adds itself to the program. */
export const COMMANDS: Array<(program: Command) => void> = [registerInit, registerProcess];
