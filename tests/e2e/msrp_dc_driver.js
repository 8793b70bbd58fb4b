// Browser side of tests/netns/test_msrp_dc_bridge.sh: Chromium opens a data channel
// with protocol "msrp" (RFC 8873) to the gateway (tests/netns/msrp_gateway.c), speaks
// MSRP over it: sends SIZE random bytes as one message in SEND chunks with
// Success-Report: yes and waits for the 200 REPORT; answers the SEND chunks coming the
// other way, joins them by Byte-Range and sends their REPORT. DIR/result.txt gets
// "ok <sent length> <sent SHA-256> <received length> <received SHA-256>" or the error.
// With "abort", the page sends nothing and closes its peer connection once 1 MiB of the
// incoming file has arrived ("aborted <bytes received>").
//   node msrp_dc_driver.js DIR SIZE [abort]
'use strict';
const path = require('path');
const fs = require('fs');
const { chromium } = require(path.join(__dirname, 'node_modules', 'playwright-core'));

const dir = process.argv[2];
const size = parseInt(process.argv[3] || '5242880', 10);
const abort = process.argv[4] === 'abort';
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
      for (let i = 0; i < 600 && !fs.existsSync(file); i++) await sleep(50);
      return fs.readFileSync(file, 'utf8');
    };
    const publish = (name, text) => {
      fs.writeFileSync(path.join(dir, name + '.tmp'), text);
      fs.renameSync(path.join(dir, name + '.tmp'), path.join(dir, name));
    };
    publish('offer.sdp', await page.evaluate(async () => {
      window.pc = new RTCPeerConnection();
      window.chat = pc.createDataChannel('chat', { protocol: 'msrp' });
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription.sdp;
    }));
    const answer = await waitFor(path.join(dir, 'answer.sdp'));
    const result = await page.evaluate(async ([answer, size, abort]) => {
      const ME = 'msrp://browser.invalid/b1;dc', GW = 'msrp://gw.invalid/g1;dc';
      const enc = new TextEncoder(), latin1 = new TextDecoder('latin1');
      const hex = async buf => [...new Uint8Array(await crypto.subtle.digest('SHA-256', buf))]
        .map(b => b.toString(16).padStart(2, '0')).join('');
      const ident = () => Math.random().toString(36).slice(2, 12) + Math.random().toString(36).slice(2, 8);
      const frame = (tid, start, headers, body, flag) => {
        const head = enc.encode(`MSRP ${tid} ${start}\r\nTo-Path: ${GW}\r\nFrom-Path: ${ME}\r\n` +
          headers + (body ? '\r\n' : ''));
        const tail = enc.encode(`${body ? '\r\n' : ''}-------${tid}${flag}\r\n`);
        const out = new Uint8Array(head.length + (body ? body.length : 0) + tail.length);
        out.set(head, 0);
        if (body) out.set(body, head.length);
        out.set(tail, head.length + (body ? body.length : 0));
        return out;
      };
      const parse = u8 => {
        const t = latin1.decode(u8);
        const first = t.slice(0, t.indexOf('\r\n')).split(' ');
        const tid = first[1], end = t.lastIndexOf('\r\n-------' + tid);
        const blank = t.indexOf('\r\n\r\n');
        const hasBody = blank >= 0 && blank < end;
        const h = {};
        for (const line of t.slice(0, hasBody ? blank : end).split('\r\n').slice(1)) {
          const i = line.indexOf(':');
          if (i > 0) h[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
        }
        return { tid, method: first[2], h, body: hasBody ? u8.subarray(blank + 4, end) : null,
                 flag: t[end + 9 + tid.length] };
      };
      try {
        await pc.setRemoteDescription({ type: 'answer', sdp: answer });
        await new Promise((res, rej) => {
          chat.onopen = res;
          setTimeout(() => rej(new Error('the channel did not open: ' + pc.connectionState)), 15000);
        });
      } catch (e) {
        return 'error: ' + e.message;
      }
      chat.binaryType = 'arraybuffer';
      const file = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(file.subarray(i, i + 65536));
      const mid = ident();
      let report = null, recvTotal = -1, recvGot = 0, recvBuf = null, recvId = null, closedAt = 0;
      const errors = [];
      chat.onmessage = e => {
        const f = parse(new Uint8Array(e.data));
        if (f.method === 'REPORT') {
          if (f.h['message-id'] === mid) report = f.h['status'];
          return;
        }
        if (f.method === 'SEND') {
          const [range, total] = f.h['byte-range'].split('/');
          const start = parseInt(range.split('-')[0], 10);
          if (!recvBuf) { recvTotal = parseInt(total, 10); recvBuf = new Uint8Array(recvTotal); recvId = f.h['message-id']; }
          recvBuf.set(f.body, start - 1);
          recvGot += f.body.length;
          chat.send(enc.encode(`MSRP ${f.tid} 200 OK\r\nTo-Path: ${GW}\r\nFrom-Path: ${ME}\r\n-------${f.tid}$\r\n`));
          if (f.flag === '$' && recvGot === recvTotal && f.h['success-report'] === 'yes')
            chat.send(frame(ident(), 'REPORT', `Message-ID: ${recvId}\r\nByte-Range: 1-${recvTotal}/${recvTotal}\r\nStatus: 000 200 OK\r\n`, null, '$'));
          /* abort: close in the very handler that passes 1 MiB, so surely mid-transfer
           * (polling for it let the whole file arrive first on a fast run) */
          if (abort && !closedAt && recvGot >= (1 << 20)) {
            closedAt = recvGot;
            pc.close();
          }
          return;
        }
        if (/^\d\d\d$/.test(f.method) && f.method !== '200') errors.push('response ' + f.method);
      };
      if (abort) {
        for (let i = 0; i < 600 && !closedAt; i++) await new Promise(r => setTimeout(r, 20));
        if (!closedAt)
          pc.close();
        return closedAt ? `aborted ${closedAt}` : `error: only ${recvGot} bytes before the abort`;
      }
      // the file in SEND chunks of 60000 bytes, one frame per message, pacing on bufferedAmount
      const chunk = 60000;
      for (let off = 0; off < size; off += chunk) {
        const n = Math.min(chunk, size - off);
        while (chat.bufferedAmount > 4 * 1024 * 1024) await new Promise(r => setTimeout(r, 5));
        chat.send(frame(ident(), 'SEND', `Message-ID: ${mid}\r\nByte-Range: ${off + 1}-${off + n}/${size}\r\n` +
          'Success-Report: yes\r\nContent-Type: application/octet-stream\r\n',
          file.subarray(off, off + n), off + n === size ? '$' : '+'));
      }
      for (let i = 0; i < 1200 && (report === null || recvGot < recvTotal || recvTotal < 0); i++)
        await new Promise(r => setTimeout(r, 50));
      if (report === null) errors.push('no REPORT for the sent file');
      else if (!report.startsWith('000 200')) errors.push('REPORT ' + report);
      if (recvTotal < 0 || recvGot < recvTotal) errors.push(`received ${recvGot} of ${recvTotal}`);
      if (errors.length) return 'error: ' + errors.join('; ');
      await new Promise(r => setTimeout(r, 500)); // our REPORT on its way
      return `ok ${size} ${await hex(file)} ${recvTotal} ${await hex(recvBuf)}`;
    }, [answer, size, abort]);
    fs.writeFileSync(path.join(dir, 'result.txt'), result + '\n');
  } finally {
    await browser.close();
  }
})().catch(e => {
  fs.writeFileSync(path.join(dir, 'result.txt'), 'error: ' + e.message + '\n');
  process.exit(1);
});
