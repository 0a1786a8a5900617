// Bundles src/ into one minified IIFE (window.CredstackVerifier) plus the licences of what it bundles,
// and the badge maker (window.CredstackBadge, ../plugins/credstack/site/assets/badge/, loaded only
// when a visitor downloads a badge image the site does not publish). `npm run build` writes both;
// test/bundle.test.js rebuilds in memory and checks that the committed files are byte-identical.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const OUT_DIR = join(here, '..', 'plugins', 'credstack', 'site', 'assets', 'verifier');
export const BUNDLE = 'credstack-verifier.js';
export const LICENSES = 'LICENSES.txt';
/** Loaded on demand by the core (CredstackVerifier.loadSuites): other issuers' suites. */
export const SUITES = 'credstack-suites.js';
export const BADGE_DIR = join(here, '..', 'plugins', 'credstack', 'site', 'assets', 'badge');
export const BADGE_BUNDLE = 'credstack-badge.js';
export const BADGE_LICENSES = 'LICENSES.txt';

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** The bundled npm packages, sorted: [{ name, version, license, dir }]. */
function bundledPackages(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) names.add(m[1]);
  }
  return [...names].sort().map((name) => {
    const dir = join(here, 'node_modules', name);
    const { version, license } = readJson(join(dir, 'package.json'));
    return { name, version, license, dir };
  });
}

function licenceText(pkg) {
  for (const file of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license']) {
    if (existsSync(join(pkg.dir, file))) return readFileSync(join(pkg.dir, file), 'utf8').trim();
  }
  throw new Error(`${pkg.name} ships no LICENSE file; add its licence text to build.mjs`);
}

/** Build in memory. Returns { [fileName]: Uint8Array }. Same inputs, same bytes. */
export async function build() {
  const { version } = readJson(join(here, 'package.json'));
  const result = await esbuild.build({
    absWorkingDir: here,
    entryPoints: ['src/index.js'],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'CredstackVerifier',
    platform: 'browser',
    target: ['es2020'],
    charset: 'ascii', // escapes non-ASCII: the script then decodes right whatever charset it is served with
    legalComments: 'none', // licences go to LICENSES.txt
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  // The suites file: an ES module imported at run time by loadSuites(), so pages verifying
  // credstack's own credentials never download it. It bundles no npm package (the core hands
  // in its canonicalizer), so the core's licences cover everything.
  const suites = await esbuild.build({
    absWorkingDir: here,
    entryPoints: ['src/suites.js'],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    charset: 'ascii',
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  if (bundledPackages(suites.metafile).length) throw new Error(`${SUITES} must not bundle npm packages`);
  const packages = bundledPackages(result.metafile);
  const banner = `/*! credstack-verifier ${version} | bundles ${packages.map((p) => `${p.name}@${p.version} (${p.license})`).join(', ')} | licences: ${LICENSES} */\n`;
  const licences = packages.map((p) => `${p.name}@${p.version} (${p.license})\n\n${licenceText(p)}\n`).join(`\n${'-'.repeat(72)}\n\n`);
  const encoder = new TextEncoder();
  return {
    [BUNDLE]: encoder.encode(banner + result.outputFiles[0].text),
    [LICENSES]: encoder.encode(`Third-party software bundled in ${BUNDLE}\n\n${licences}`),
    [SUITES]: encoder.encode(`/*! credstack-verifier ${version} suites (loaded on demand by ${BUNDLE}) */\n${suites.outputFiles[0].text}`),
  };
}

/** Build the badge maker in memory, as build(): { [fileName]: Uint8Array }. */
export async function buildBadge() {
  const { version } = readJson(join(here, 'package.json'));
  const result = await esbuild.build({
    absWorkingDir: here,
    entryPoints: ['src/badge.js'],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'CredstackBadge',
    platform: 'browser',
    target: ['es2020'],
    charset: 'ascii',
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const packages = bundledPackages(result.metafile);
  const banner = `/*! credstack-badge ${version} | bundles ${packages.map((p) => `${p.name}@${p.version} (${p.license})`).join(', ')} | licences: ${BADGE_LICENSES} */\n`;
  const licences = packages.map((p) => `${p.name}@${p.version} (${p.license})\n\n${licenceText(p)}\n`).join(`\n${'-'.repeat(72)}\n\n`);
  const encoder = new TextEncoder();
  return {
    [BADGE_BUNDLE]: encoder.encode(banner + result.outputFiles[0].text),
    [BADGE_LICENSES]: encoder.encode(`Third-party software bundled in ${BADGE_BUNDLE}\n\n${licences}`),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [dir, files] of [[OUT_DIR, await build()], [BADGE_DIR, await buildBadge()]]) {
    mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) {
      writeFileSync(join(dir, name), bytes);
      console.log(`${join(dir.slice(join(here, '..').length + 1), name)}: ${bytes.length} bytes`);
    }
  }
}
