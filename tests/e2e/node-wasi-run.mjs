// Runs a WASI preview1 module under Node's node:wasi (uvwasi), taking the
// same options as `wasitrace run`, so the e2e runner can drive either engine
// with one command line:
//
//   node node-wasi-run.mjs run [--dir HOST[::GUEST]] [--env NAME=VALUE]
//        [--inherit-env] MODULE.wasm [-- ARGS...]
//
// Exit codes follow wasitrace's: the guest's exit code, 134 when the guest
// traps (any exception out of _start), 126 when the module cannot be
// compiled or linked, 125 for a usage error, and 77 (the test suite's
// "skipped") for what node:wasi cannot do at all (preopened sockets).
import { readFileSync } from 'node:fs';
import process from 'node:process';

function fail(code, msg) {
  process.stderr.write(`node-wasi-run: ${msg}\n`);
  process.exit(code);
}

function parse(argv) {
  const o = { preopens: {}, env: {}, inherit: false, module: null, args: [] };
  if (argv[0] !== 'run') fail(125, 'usage: run [options] MODULE.wasm [-- ARGS...]');
  let i = 1;
  for (; i < argv.length && argv[i].startsWith('--') && argv[i] !== '--'; i++) {
    const opt = argv[i];
    const val = argv[i + 1];
    if (opt === '--inherit-env') { o.inherit = true; continue; }
    if (val === undefined) fail(125, `${opt} needs a value`);
    i++;
    if (opt === '--dir') {
      const k = val.indexOf('::');
      o.preopens[k < 0 ? val : val.slice(k + 2)] = k < 0 ? val : val.slice(0, k);
    } else if (opt === '--env') {
      const k = val.indexOf('=');
      if (k <= 0) fail(125, `bad --env ${val}`);
      o.env[val.slice(0, k)] = val.slice(k + 1);
    } else if (opt === '--tcplisten') {
      fail(77, 'node:wasi has no preopened sockets');
    } else {
      fail(125, `unknown option ${opt}`);
    }
  }
  if (i >= argv.length) fail(125, 'no module given');
  o.module = argv[i++];
  if (argv[i] === '--') i++;
  o.args = [o.module, ...argv.slice(i)];
  return o;
}

const o = parse(process.argv.slice(2));
let WASI;
try {
  ({ WASI } = await import('node:wasi'));
} catch (e) {
  fail(77, `node:wasi unavailable: ${e.message}`);
}
let wasi;
try {
  wasi = new WASI({
    version: 'preview1',
    args: o.args,
    env: o.inherit ? { ...process.env, ...o.env } : o.env,
    preopens: o.preopens,
    returnOnExit: true,
  });
} catch (e) {
  // Older nodes: no `version` option, or WASI behind a flag.
  fail(77, `node:wasi preview1 unavailable: ${e.message}`);
}

let instance;
try {
  const module = await WebAssembly.compile(readFileSync(o.module));
  instance = await WebAssembly.instantiate(module, wasi.getImportObject());
} catch (e) {
  fail(126, `cannot run ${o.module}: ${e.message}`);
}
let code;
try {
  code = wasi.start(instance);
} catch (e) {
  fail(134, `guest trapped: ${e.message}`);
}
process.exit(code);
