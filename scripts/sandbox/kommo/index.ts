/**
 * The Kommo double, built for the browser (build.ts) and served as /sandbox/host.js. The sandbox
 * page calls `KommoDouble.bootSandbox()`; a harness without the page's chrome (the jsdom one)
 * calls `openHost` with its own settings and runs the callbacks itself.
 */
import { openHost } from './host';
import { hostWindow } from './page-globals';
import { bootSandbox } from './sandbox-page';
import { memorySettings } from './settings-store';

export const KOMMO_DOUBLE = { openHost, memorySettings, bootSandbox };
export type KommoDouble = typeof KOMMO_DOUBLE;

hostWindow().KommoDouble = KOMMO_DOUBLE;
