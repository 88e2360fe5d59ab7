#!/usr/bin/env node
// Readability.js (Mozilla) + linkedom behind the same interface as `rasid clean --json`, so the
// scorer can run both side by side: node readability_cli.js --json FILE...
// Dependencies live in bench/.readability (see extraction.sh); never a runtime dependency.
'use strict';
const fs = require('fs');
const path = require('path');
const mods = path.join(__dirname, '.readability', 'node_modules');
const {Readability} = require(path.join(mods, '@mozilla', 'readability'));
const {parseHTML} = require(path.join(mods, 'linkedom'));

const BLOCKS = new Set([
  'P',       'DIV',        'LI',     'H1',         'H2', 'H3',    'H4', 'H5',
  'H6',      'BLOCKQUOTE', 'PRE',    'TD',         'TR', 'TABLE', 'UL', 'OL',
  'SECTION', 'ARTICLE',    'FIGURE', 'FIGCAPTION', 'BR', 'DD',    'DT'
]);

function decode(buf) {
  const head = buf.slice(0, 4096).toString('latin1');
  const m = head.match(/charset\s*=\s*["']?([\w-]+)/i);
  let label = m ? m[1].toLowerCase() : 'utf-8';
  if (label === 'cp1256') label = 'windows-1256';
  try {
    return new TextDecoder(label).decode(buf);
  } catch (e) {
    return buf.toString('utf8');
  }
}

function paragraphs(html) {
  const {document} = parseHTML('<!DOCTYPE html><html><body>' + html + '</body></html>');
  const walk = (n) => {
    for (const c of Array.from(n.childNodes)) {
      if (c.nodeType === 1) {
        walk(c);
        if (BLOCKS.has(c.tagName)) c.after(document.createTextNode('\n'));
      }
    }
  };
  walk(document.body);
  return document.body.textContent.split('\n')
      .map((s) => s.replace(/\s+/g, ' ').trim())
      .filter((s) => s.length > 0)
      .join('\n');
}

for (const file of process.argv.slice(2).filter((a) => a !== '--json')) {
  let rec;
  try {
    const html = decode(fs.readFileSync(file));
    const {document} = parseHTML(html);
    const art = new Readability(document).parse();
    rec = art ? {
      file,
      title: art.title || '',
      text: paragraphs(art.content || ''),
      published: art.publishedTime || null,
      author: art.byline || '',
      lang: art.lang || ''
    } :
                {file, error: 'no article'};
  } catch (e) {
    rec = {file, error: String(e && e.message || e)};
  }
  process.stdout.write(JSON.stringify(rec) + '\n');
}
