// Bundles src/ into minified IIFEs plus the licences of what they bundle: the verifier
// (window.CredstackVerifier, ../plugins/credstack/site/assets/verifier/) and the badge maker
// (window.CredstackBadge, ../plugins/credstack/site/assets/badge/, loaded only when a visitor
// downloads a badge a lean site does not publish). `npm run build` writes both; test/bundle.test.js
// rebuilds in memory and checks that the committed files are byte-identical.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const OUT_DIR = join(here, '..', 'plugins', 'credstack', 'site', 'assets', 'verifier');
export const BUNDLE = 'credstack-verifier.js';
export const LICENSES = 'LICENSES.txt';
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

async function bundle(entry, globalName, bundleName, licensesName) {
  const { version } = readJson(join(here, 'package.json'));
  const result = await esbuild.build({
    absWorkingDir: here,
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: ['es2020'],
    charset: 'ascii', // escapes non-ASCII: the script then decodes right whatever charset it is served with
    legalComments: 'none', // licences go to the licences file
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const packages = bundledPackages(result.metafile);
  const name = bundleName.replace(/\.js$/, '');
  const banner = `/*! ${name} ${version} | bundles ${packages.map((p) => `${p.name}@${p.version} (${p.license})`).join(', ')} | licences: ${licensesName} */\n`;
  const licences = packages.map((p) => `${p.name}@${p.version} (${p.license})\n\n${licenceText(p)}\n`).join(`\n${'-'.repeat(72)}\n\n`);
  const encoder = new TextEncoder();
  return {
    [bundleName]: encoder.encode(banner + result.outputFiles[0].text),
    [licensesName]: encoder.encode(`Third-party software bundled in ${bundleName}\n\n${licences}`),
  };
}

/** Build the verifier in memory. Returns { [fileName]: Uint8Array }. Same inputs, same bytes. */
export async function build() {
  return bundle('src/index.js', 'CredstackVerifier', BUNDLE, LICENSES);
}

/** Build the badge maker in memory, as build(). */
export async function buildBadge() {
  return bundle('src/badge.js', 'CredstackBadge', BADGE_BUNDLE, BADGE_LICENSES);
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
