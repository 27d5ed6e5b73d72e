// Trunk post-build step: cuts the lazily loaded pages (`#[lazy]` in src/app.rs) out of the page's
// wasm, so a first visit downloads only what the customer list needs. Trunk 0.21 cannot split a
// wasm (trunk-rs/trunk#1022), so this redoes its last steps on cargo's output, the way
// cargo-leptos does with `--split`: wasm-split-cli (the wasm_split_cli_support crate, installed
// by scripts/setup.sh) -> wasm-bindgen --keep-lld-exports -> wasm-opt, then puts the result in
// place of trunk's files, under trunk's names, and fixes their integrity hashes in index.html.
// Every split-off file gets a content hash in its name (the service worker serves hashed files
// from its cache without asking the network). TIERBOOK_WASM_NAMES=1 keeps the function names
// in the wasm (wasm-opt -g), for readable browser profiles.
import { createHash } from 'node:crypto';
import { execFileSync, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const staging = process.env.TRUNK_STAGING_DIR || 'dist';
const profile = process.env.TRUNK_PROFILE === 'debug' ? 'debug' : 'release';
const cargoOutput = path.join(process.env.CARGO_TARGET_DIR || 'target', 'wasm32-unknown-unknown', profile, 'tierbook-web.wasm');
const htmlFile = path.join(staging, 'index.html');

const appJs = fs.readdirSync(staging).find((f) => /^tierbook-web-[0-9a-f]+\.js$/.test(f));
if (!appJs) throw new Error(`split_wasm: trunk's tierbook-web-<hash>.js is not in ${staging}`);
const stem = appJs.slice(0, -'.js'.length);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tierbook-split-'));
const splitDir = path.join(work, 'split');
const bindgenDir = path.join(work, 'bindgen');

const sha = (bytes, algorithm = 'sha256') => createHash(algorithm).update(bytes).digest();
const hashed = (name, bytes) => `${name}-${sha(bytes).toString('hex').slice(0, 16)}`;
const integrity = (bytes) => `sha384-${sha(bytes, 'sha384').toString('base64')}`;

try {
  // The main module imports initSync from trunk's JS; the pieces are fetched beside it.
  execFileSync('wasm-split-cli', [cargoOutput, splitDir, '--out-name', stem], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('wasm-bindgen', [
    path.join(splitDir, `${stem}.wasm`), '--target', 'web', '--keep-lld-exports', '--no-demangle',
    '--no-typescript', '--out-dir', bindgenDir, '--out-name', stem,
  ], { stdio: 'inherit' });

  const pieces = fs.readdirSync(splitDir).filter((f) => f.endsWith('.wasm') && f !== `${stem}.wasm`);
  const wasmFiles = [path.join(bindgenDir, `${stem}_bg.wasm`), ...pieces.map((f) => path.join(splitDir, f))];
  if (profile === 'release') {
    // Trunk's data-wasm-opt="z", with the features rustc's wasm32 target emits; two at a time.
    const features = ['bulk-memory', 'nontrapping-float-to-int', 'sign-ext', 'mutable-globals', 'reference-types', 'multivalue'];
    const queue = [...wasmFiles];
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const names = process.env.TIERBOOK_WASM_NAMES ? ['-g'] : [];
        await run('wasm-opt', ['-Oz', ...names, ...features.map((f) => `--enable-${f}`), file, '-o', file]);
      }
    };
    await Promise.all([worker(), worker()]);
  }

  // The pieces under hashed names, and the loader that fetches them pointed at those names.
  let loader = fs.readFileSync(path.join(splitDir, '__wasm_split.js'), 'utf8');
  const lazyFiles = [];
  for (const piece of pieces) {
    const bytes = fs.readFileSync(path.join(splitDir, piece));
    const name = `${hashed(piece.slice(0, -'.wasm'.length), bytes)}.wasm`;
    fs.writeFileSync(path.join(staging, name), bytes);
    loader = loader.replaceAll(`"./${piece}"`, `"./${name}"`);
    lazyFiles.push(name);
  }
  const loaderName = `${hashed('tierbook-lazy', Buffer.from(loader))}.js`;
  fs.writeFileSync(path.join(staging, loaderName), loader);

  const appJsText = fs.readFileSync(path.join(bindgenDir, `${stem}.js`), 'utf8')
    // The import statements only: the wasm's own imports keep the module name it was built with.
    .replaceAll('from "./__wasm_split.js"', `from "./${loaderName}"`);
  fs.writeFileSync(path.join(staging, appJs), appJsText);
  const appWasm = fs.readFileSync(path.join(bindgenDir, `${stem}_bg.wasm`));
  fs.writeFileSync(path.join(staging, `${stem}_bg.wasm`), appWasm);

  // index.html: trunk's integrity hashes follow the new bytes; the loader is preloaded with the
  // app's JS (it imports it at once); the pieces are named for the service worker to keep for
  // offline use (rel="tierbook-lazy" is no rel a browser fetches).
  let html = fs.readFileSync(htmlFile, 'utf8');
  const setIntegrity = (file, bytes) => {
    const before = html;
    const href = `href="./${file}"`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    html = html.replace(new RegExp(`(${href}[^>]*integrity=")[^"]*"`), `$1${integrity(bytes)}"`);
    if (html === before) throw new Error(`split_wasm: no integrity for ${file} in index.html`);
  };
  setIntegrity(appJs, Buffer.from(appJsText));
  setIntegrity(`${stem}_bg.wasm`, appWasm);
  const links = [
    `<link rel="modulepreload" href="./${loaderName}" crossorigin="anonymous" integrity="${integrity(Buffer.from(loader))}">`,
    ...lazyFiles.sort().map((f) => `<link rel="tierbook-lazy" href="./${f}">`),
  ];
  html = html.replace('</head>', `${links.join('\n')}\n</head>`);
  fs.writeFileSync(htmlFile, html);
  console.log(`split_wasm: ${stem}_bg.wasm ${Math.round(appWasm.length / 1024)} KB, ${lazyFiles.length} pieces loaded later`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
