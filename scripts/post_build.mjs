// Trunk's post-build hook. Trunk starts the hooks of one stage all at once, so the steps that
// must follow each other are run from here, in order: the CSP hashes the final index.html.
await import('./split_wasm.mjs');
await import('./csp.mjs');
