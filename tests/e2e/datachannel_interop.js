// Browser side of tests/unit/test_datachannel_chromium.c, inside the test's network
// namespace: Chromium offers data channels only ("chat" with protocol "msrp", and
// "aux"), applies DIR/answer.sdp, sends text messages and 1 MiB of random bytes on
// "chat" (in binary messages of the largest size both sides allow, RFC 8841) and one
// text on "aux", writes what it sent (channel, kind, length, SHA-256 by WebCrypto; the
// binary messages as one line for their whole) to DIR/sent.txt, and checks that the
// gateway echoes everything back (binary echoes joined). The verdict goes to
// DIR/result.txt.
//   node datachannel_interop.js DIR
'use strict';
const path = require('path');
const fs = require('fs');
const { chromium } = require(path.join(__dirname, 'node_modules', 'playwright-core'));

const dir = process.argv[2];
const sleep = ms => new Promise(r => setTimeout(r, ms));

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', m => console.log('page:', m.text()));
    await page.route('http://localhost/', r => r.fulfill({ contentType: 'text/html', body: '<html></html>' }));
    await page.goto('http://localhost/');
    const waitFor = async file => {
      for (let i = 0; i < 400 && !fs.existsSync(file); i++) await sleep(50);
      return fs.readFileSync(file, 'utf8');
    };
    const publish = (name, text) => {
      fs.writeFileSync(path.join(dir, name + '.tmp'), text);
      fs.renameSync(path.join(dir, name + '.tmp'), path.join(dir, name));
    };
    publish('offer.sdp', await page.evaluate(async () => {
      window.pc = new RTCPeerConnection();
      window.chat = pc.createDataChannel('chat', { protocol: 'msrp' });
      window.aux = pc.createDataChannel('aux');
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription.sdp;
    }));
    const answer = await waitFor(path.join(dir, 'answer.sdp'));
    const out = await page.evaluate(async answer => {
      const hex = async buf => [...new Uint8Array(await crypto.subtle.digest('SHA-256', buf))]
        .map(b => b.toString(16).padStart(2, '0')).join('');
      const enc = new TextEncoder();
      try {
        await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      } catch (e) {
        return { result: 'refused: ' + e.message };
      }
      const opened = ch => new Promise((res, rej) => {
        if (ch.readyState === 'open') return res();
        ch.onopen = res;
        setTimeout(() => rej(new Error(ch.label + ' did not open (' + ch.readyState + ', ' +
          pc.connectionState + ')')), 15000);
      });
      try {
        await Promise.all([opened(chat), opened(aux)]);
      } catch (e) {
        return { result: 'error: ' + e.message };
      }
      chat.binaryType = aux.binaryType = 'arraybuffer';
      const got = { chat: [], aux: [] };
      chat.onmessage = e => got.chat.push(e.data);
      aux.onmessage = e => got.aux.push(e.data);

      const texts = ['hello gateway', 'MSRP over data channels (RFC 8873)', 'ünïcödé ✓ 日本'];
      const blob = new Uint8Array(1 << 20);
      for (let i = 0; i < blob.length; i += 65536) crypto.getRandomValues(blob.subarray(i, i + 65536));
      const sent = [];
      for (const t of texts) {
        chat.send(t);
        sent.push(`chat text ${enc.encode(t).length} ${await hex(enc.encode(t))}`);
      }
      // one message may not exceed the max-message-size both sides allow (RFC 8841)
      const mms = Math.min(pc.sctp.maxMessageSize, blob.length);
      for (let off = 0; off < blob.length; off += mms) chat.send(blob.subarray(off, off + mms));
      sent.push(`chat binary ${blob.length} ${await hex(blob)}`);
      aux.send('on the other channel');
      sent.push(`aux text 20 ${await hex(enc.encode('on the other channel'))}`);

      // echoes: the texts, the blob (maybe in pieces), the aux text
      const joinedLength = () => got.chat.filter(m => typeof m !== 'string')
        .reduce((n, m) => n + m.byteLength, 0);
      for (let i = 0; i < 600; i++) {
        if (got.chat.filter(m => typeof m === 'string').length >= texts.length &&
            joinedLength() >= blob.length && got.aux.length >= 1) break;
        await new Promise(r => setTimeout(r, 50));
      }
      const echoedTexts = got.chat.filter(m => typeof m === 'string');
      const pieces = got.chat.filter(m => typeof m !== 'string');
      const joined = new Uint8Array(joinedLength());
      let off = 0;
      for (const p of pieces) { joined.set(new Uint8Array(p), off); off += p.byteLength; }
      const problems = [];
      if (JSON.stringify(echoedTexts) !== JSON.stringify(texts))
        problems.push('texts echoed as ' + JSON.stringify(echoedTexts));
      if (joined.length !== blob.length || (await hex(joined)) !== (await hex(blob)))
        problems.push(`binary echo of ${joined.length} bytes in ${pieces.length} pieces differs`);
      if (got.aux.length !== 1 || got.aux[0] !== 'on the other channel')
        problems.push('aux echo ' + JSON.stringify(got.aux));
      return {
        sent: sent.join('\n') + '\n',
        result: (problems.length ? 'mismatch: ' + problems.join('; ') : 'ok') +
          ` (maxMessageSize ${pc.sctp.maxMessageSize}, ${pieces.length} binary pieces)`,
      };
    }, answer);
    if (out.sent) publish('sent.txt', out.sent);
    fs.writeFileSync(path.join(dir, 'result.txt'), out.result + '\n');
    await sleep(300);
  } finally {
    await browser.close();
  }
})().catch(e => {
  fs.writeFileSync(path.join(dir, 'result.txt'), 'error: ' + e.message + '\n');
  process.exit(1);
});
