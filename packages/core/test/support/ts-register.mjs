// `node --import <this file> script.ts` runs a TypeScript file of this repo.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
