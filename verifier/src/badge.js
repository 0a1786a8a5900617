// credstack badge maker: badge.svg and badge.png of a credential, made in the visitor's browser
// (lean sites publish no badge images). A line-for-line port of plugins/credstack/model/
// badge.py: the same widths table (badge-data.json), integer arithmetic and a QR code
// with the same fixed mask, so the SVG is byte for byte the one `credstack badge` writes (the
// tests compare them). Baking follows OB 3.0 §5.3, as plugins/credstack/model/baking.py.
import qrcodegen from 'nayuki-qr-code-generator';

const SIZE = 600;
const BAND = 190;
const MASK_PATTERN = 6;
const LEVEL_COLORS = { foundation: '#0f766e', practitioner: '#4338ca', certification: '#a16207' };
const LEVEL_LABELS = { foundation: 'Foundation', practitioner: 'Practitioner', certification: 'Certification' };
const INK = [31, 41, 55];
const MUTED = [96, 103, 115];
const WHITE = [255, 255, 255];
const SVG_FONTS = "'Source Sans Pro','Source Sans 3','Helvetica Neue',Helvetica,Arial,sans-serif";
const TITLE_SIZES = [36, 33, 30, 27, 24];
const NAME_SIZES = [36, 33, 30, 27, 24, 21];
const META_SIZES = [20, 18, 16];
export const SVG_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';
export const PNG_KEYWORD = 'openbadgecredential';

// -- the font's widths --------------------------------------------------------------------------

/** Width tables by weight from badge-data.json: Map(code point -> thousandths of an em). */
export function widthTables(data) {
  const tables = {};
  for (const weight of ['regular', 'bold']) {
    const table = new Map();
    let k = 0;
    for (const [start, end] of data.ranges) for (let code = start; code <= end; code++) table.set(code, data[weight][k++]);
    tables[weight] = table;
  }
  return { ...tables, fallback: data.fallback, shapes: data.shapes };
}

function units(metrics, text, weight) {
  const table = metrics[weight];
  let sum = 0;
  for (const ch of text) {
    const w = table.get(ch.codePointAt(0));
    sum += w === undefined ? metrics.fallback : w;
  }
  return sum;
}

const width = (m, text, size, weight) => Math.floor((units(m, text, weight) * size + 999) / 1000);
const fits = (m, text, size, maxWidth, weight) => units(m, text, weight) * size <= maxWidth * 1000;

/** Python's str.split(): runs of whitespace separate words. */
const words = (text) => text.split(/[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u).filter(Boolean);

function wrap(m, text, size, maxWidth, weight, split = true) {
  const lines = [];
  let current = '';
  for (const word of words(text)) {
    const candidate = current ? `${current} ${word}` : word;
    if (fits(m, candidate, size, maxWidth, weight)) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    current = '';
    if (!split && !fits(m, word, size, maxWidth, weight)) return null;
    for (const ch of word) {
      if (current && !fits(m, current + ch, size, maxWidth, weight)) {
        lines.push(current);
        current = '';
      }
      current += ch;
    }
  }
  if (current || !lines.length) lines.push(current);
  return lines;
}

function fit(m, text, maxWidth, maxLines, sizes, weight) {
  const last = sizes[sizes.length - 1];
  const floor = Math.max(1, Math.floor((last * 2) / 3));
  const whole = [...sizes];
  for (let s = last - 1; s >= floor; s--) whole.push(s);
  for (const size of whole) {
    const lines = wrap(m, text, size, maxWidth, weight, false);
    if (lines !== null && lines.length <= maxLines) return [size, lines];
  }
  const all = [...sizes];
  for (let s = last - 1; s > 0; s--) all.push(s);
  let size = sizes[0];
  for (size of all) {
    const lines = wrap(m, text, size, maxWidth, weight);
    if (lines.length <= maxLines) return [size, lines];
  }
  return [size, wrap(m, text, size, maxWidth, weight)];
}

const baseline = (top, size) => top + Math.floor((size * 78 + 50) / 100);

// -- colours ------------------------------------------------------------------------------------

const badgeColor = (level, color) => color || LEVEL_COLORS[level] || '#374151';
const rgb = (color) => {
  const v = color.replace(/^#/, '');
  return [parseInt(v.slice(0, 2), 16), parseInt(v.slice(2, 4), 16), parseInt(v.slice(4, 6), 16)];
};
const hex = (c) => '#' + c.map((x) => x.toString(16).padStart(2, '0')).join('');

function luminance(c) {
  const channel = (v) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = c.map(channel);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function textOn(color) {
  const lum = luminance(rgb(color));
  return 1.05 / (lum + 0.05) >= (lum + 0.05) / (luminance(INK) + 0.05) ? WHITE : INK;
}

const darker = (color) => rgb(color).map((v) => Math.floor((v * 72) / 100));
const spaced = (text) => [...text.toUpperCase()].join(' ');
const levelLabel = (level) => LEVEL_LABELS[level] || (level ? level[0].toUpperCase() + level.slice(1) : '');

// -- QR code --------------------------------------------------------------------------------------

/** The QR code of `text` (error correction M, mask 6, no quiet zone): rows of booleans. */
export function qrMatrix(text) {
  const segments = qrcodegen.QrSegment.makeSegments(text);
  const code = qrcodegen.QrCode.encodeSegments(segments, qrcodegen.QrCode.Ecc.MEDIUM, 1, 40, MASK_PATTERN, false);
  const rows = [];
  for (let y = 0; y < code.size; y++) {
    const row = [];
    for (let x = 0; x < code.size; x++) row.push(code.getModule(x, y));
    rows.push(row);
  }
  return rows;
}

/** The dark modules as one stroked SVG path (module units; row r along y = r + 0.5). */
export function qrPath(matrix) {
  const parts = [];
  matrix.forEach((line, row) => {
    let col = 0;
    let end = null;
    while (col < line.length) {
      if (!line[col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < line.length && line[col]) col++;
      parts.push(end === null ? `M${start} ${row}.5h${col - start}` : `m${start - end} 0h${col - start}`);
      end = col;
    }
  });
  return parts.join('');
}

// -- the badge ------------------------------------------------------------------------------------

const escapeText = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s) => escapeText(s).replace(/"/g, '&quot;');

function line(m, text, x, top, size, weight) {
  return { text, x, y: baseline(top, size), size, width: width(m, text, size, weight) };
}

/** The medallion's mark: initials of the first three words that start with a letter. */
export function monogram(achievement) {
  return words(achievement).filter((w) => /^\p{L}/u.test(w)).map((w) => [...w][0].toUpperCase()).join('').slice(0, 3);
}

/** Where everything goes on the badge of `text` ({achievement, level, recipient, issued, issuer, color}). */
export function layout(m, text, url) {
  const matrix = qrMatrix(url);
  const module = Math.max(3, Math.min(8, Math.floor(270 / matrix.length)));
  const qrSize = module * matrix.length;
  const qrTop = BAND + 4 * module;
  const label = spaced(levelLabel(text.level));
  const level = { text: label, x: 194, y: baseline(34, 17), size: 17, width: width(m, label, 17, 'bold') };
  const [titleSize, titleLines] = fit(m, text.achievement, 376, 2, TITLE_SIZES, 'bold');
  const step = Math.floor((titleSize * 116 + 50) / 100);
  const top = 66 + Math.floor(((2 - titleLines.length) * titleSize * 58 + 50) / 100);
  const title = titleLines.map((t, i) => line(m, t, 194, top + i * step, titleSize, 'bold'));
  const nameTop = qrTop + qrSize + 18;
  const [nameSize, nameLines] = fit(m, text.recipient, 548, 1, NAME_SIZES, 'bold');
  const name = line(m, nameLines[0], SIZE / 2, nameTop, nameSize, 'bold');
  const [metaSize, metaLines] = fit(m, `Issued ${text.issued} by ${text.issuer}`, 548, 1, META_SIZES, 'regular');
  const meta = line(m, metaLines[0], SIZE / 2, nameTop + nameSize + 14, metaSize, 'regular');
  const initials = monogram(text.achievement);
  let mark = null;
  if (initials) {
    const [markSize] = fit(m, initials, 96, 1, [46, 42, 38, 34, 30], 'bold');
    mark = { text: initials, x: 97, y: 95 + Math.floor((markSize * 35 + 50) / 100), size: markSize, width: width(m, initials, markSize, 'bold') };
  }
  return { color: badgeColor(text.level, text.color), mark, matrix, module, qrLeft: Math.floor((SIZE - qrSize) / 2), qrTop, level, title, name, meta };
}

function medallion(m, level, color) {
  const shape = m.shapes[level] || m.shapes.foundation;
  const ring = textOn(color) === WHITE ? '#ffffff' : hex(INK);
  return shape.replaceAll('{fill}', color).replaceAll('{edge}', hex(darker(color))).replaceAll('{ring}', ring);
}

const svgText = (l, anchor) =>
  `<text x="${l.x}" y="${l.y}" font-size="${l.size}"${anchor ? ' text-anchor="middle"' : ''} textLength="${l.width}" lengthAdjust="spacingAndGlyphs">${escapeText(l.text)}</text>`;

/** The badge as SVG text, not yet baked (credstack.model.badge.badge_svg). */
export function badgeSvg(m, text, url) {
  const lay = layout(m, text, url);
  const ink = hex(textOn(lay.color));
  const title = escapeAttr(`${text.achievement}: ${text.recipient}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" role="img" aria-label="${title}">`,
    `<rect width="${SIZE}" height="${SIZE}" fill="#ffffff"/>`,
    `<rect width="${SIZE}" height="${BAND}" fill="${lay.color}"/>`,
    `<rect y="${SIZE - 8}" width="${SIZE}" height="8" fill="${hex(darker(lay.color))}"/>`,
    medallion(m, text.level, lay.color),
    `<g font-family="${SVG_FONTS}" font-weight="600" fill="${ink}">`,
    lay.mark ? svgText(lay.mark, true) : '',
    svgText(lay.level, false),
    ...lay.title.map((l) => svgText(l, false)),
    '</g>',
    `<path transform="translate(${lay.qrLeft} ${lay.qrTop}) scale(${lay.module})" stroke="#000000" stroke-width="1" shape-rendering="crispEdges" d="${qrPath(lay.matrix)}"/>`,
    `<g font-family="${SVG_FONTS}">`,
    `<g font-weight="600" fill="${hex(INK)}">${svgText(lay.name, true)}</g>`,
    `<g fill="${hex(MUTED)}">${svgText(lay.meta, true)}</g>`,
    '</g></svg>\n',
  ].join('');
}

// -- baking (OB 3.0 §5.3) ---------------------------------------------------------------------

/** SVG: xmlns:openbadges on <svg> and one <openbadges:credential> with the JSON in CDATA. */
export function bakeSvg(svg, json) {
  const text = json.replaceAll(']]>', ']]\\u003e');
  const root = /<svg\b[^>]*>/s.exec(svg);
  if (!root || root[0].endsWith('/>')) throw new Error('the SVG image has no <svg> element to bake into');
  let tag = root[0];
  if (!tag.includes('xmlns:openbadges=')) tag = `${tag.slice(0, -1).trimEnd()} xmlns:openbadges="${SVG_NAMESPACE}">`;
  const element = `<openbadges:credential><![CDATA[${text}]]></openbadges:credential>`;
  return svg.slice(0, root.index) + tag + element + svg.slice(root.index + root[0].length);
}

let crcTable = null;
function crc32(bytes) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, payload) {
  const out = new Uint8Array(12 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length);
  const typed = new TextEncoder().encode(type);
  out.set(typed, 4);
  out.set(payload, 8);
  view.setUint32(8 + payload.length, crc32(out.subarray(4, 8 + payload.length)));
  return out;
}

/** PNG: one uncompressed iTXt chunk `openbadgecredential` before the first IDAT (bake_png). */
export function bakePng(png, json) {
  const bytes = new Uint8Array(png);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const encoder = new TextEncoder();
  const keyword = encoder.encode(PNG_KEYWORD);
  const text = encoder.encode(json);
  const payload = new Uint8Array(keyword.length + 5 + text.length);
  payload.set(keyword, 0); // keyword, NUL, compression 0, method 0, language NUL, keyword NUL
  payload.set(text, keyword.length + 5);
  const parts = [bytes.subarray(0, 8)];
  let at = 8;
  let inserted = false;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const whole = bytes.subarray(at, at + 12 + length);
    const key = bytes.subarray(at + 8, at + 8 + Math.min(length, keyword.length + 1));
    const baked = ['iTXt', 'tEXt', 'zTXt'].includes(type) && new TextDecoder('latin1').decode(key) === `${PNG_KEYWORD}\0`;
    if (type === 'IDAT' && !inserted) {
      parts.push(chunk('iTXt', payload));
      inserted = true;
    }
    if (!baked) parts.push(whole);
    at += 12 + length;
    if (type === 'IEND') break;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

/** PNG bytes of an SVG, drawn by the browser at the badge's size (a canvas is needed). */
export async function rasterize(svg) {
  const image = new Image();
  image.width = SIZE;
  image.height = SIZE;
  const loaded = new Promise((resolve, reject) => {
    image.onload = resolve;
    image.onerror = () => reject(new Error('the badge image could not be drawn'));
  });
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await loaded;
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  canvas.getContext('2d').drawImage(image, 0, 0, SIZE, SIZE);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  return new Uint8Array(await blob.arrayBuffer());
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** '14 February 2025' (UTC), as the site writes dates. */
export function fmtDate(iso) {
  const d = new Date(iso);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/**
 * What a credential's badge says (badges.badge_text): the achievement, recipient, date and issuer
 * as the signed credential names them; `level` and `color` from the program (the page has them).
 */
export function badgeText(credential, level, color) {
  const subject = isObject(credential.credentialSubject) ? credential.credentialSubject : {};
  const achievement = isObject(subject.achievement) ? subject.achievement : {};
  const ids = Array.isArray(subject.identifier) ? subject.identifier : [subject.identifier];
  const name = ids.find((i) => isObject(i) && i.identityType === 'name');
  const issuer = isObject(credential.issuer) ? credential.issuer : {};
  return {
    achievement: String(achievement.name || ''),
    level: level || 'foundation',
    recipient: name ? String(name.identityHash) : '',
    issued: fmtDate(credential.validFrom),
    issuer: String(issuer.name || ''),
    color: color || null,
  };
}

/**
 * The baked badge files of a credential: { svg: string, png: Uint8Array } (png only when asked).
 * `data`: badge-data.json; `style`: "level [#colour]" from the page; the QR code is the
 * credential's id (its page); the credential is baked in as JSON.stringify writes it.
 */
export async function makeBadges({ data, credential, style = '', png = true }) {
  const [level, color] = style.split(' ');
  const m = widthTables(data);
  const url = String(credential.id);
  const json = JSON.stringify(credential);
  const svg = badgeSvg(m, badgeText(credential, level, color), url);
  const out = { svg: bakeSvg(svg, json) };
  if (png) out.png = bakePng(await rasterize(svg), json);
  return out;
}
