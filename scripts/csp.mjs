// Trunk post-build hook: writes the Content-Security-Policy into the built index.html. Only the
// page's own scripts may run: files from the same origin, and trunk's one inline loader,
// allowed by its SHA-256 hash (worked out here because it changes with every build).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const file = path.join(process.env.TRUNK_STAGING_DIR || 'dist', 'index.html');
let html = readFileSync(file, 'utf8');
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
  .map((m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`,
  // Leptos and ECharts set style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  // Team sync talks to the team's CouchDB: any https server, or one on this machine.
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
html = html.replace('<meta charset="utf-8"/>', `<meta charset="utf-8"/>\n    <meta http-equiv="Content-Security-Policy" content="${policy}"/>`);
writeFileSync(file, html);
