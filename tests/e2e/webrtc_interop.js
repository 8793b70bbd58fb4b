// Browser side of tests/unit/test_webrtc_interop.c: headless Chromium offers audio+video,
// writes DIR/offer.sdp, waits for DIR/answer.sdp, applies it and writes the browser's
// view of the connection to DIR/result.txt. Runs inside the test's network namespace.
//   node webrtc_interop.js DIR
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
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'],
  });
  try {
    const page = await browser.newPage();
    // getUserMedia needs a secure context: serve the page as http://localhost/
    await page.route('http://localhost/', r => r.fulfill({ contentType: 'text/html', body: '<html></html>' }));
    await page.goto('http://localhost/');
    const offer = await page.evaluate(async () => {
      window.pc = new RTCPeerConnection();
      const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      s.getTracks().forEach(t => pc.addTrack(t, s));
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription.sdp;
    });
    fs.writeFileSync(path.join(dir, 'offer.sdp.tmp'), offer);
    fs.renameSync(path.join(dir, 'offer.sdp.tmp'), path.join(dir, 'offer.sdp'));
    const answerFile = path.join(dir, 'answer.sdp');
    for (let i = 0; i < 300 && !fs.existsSync(answerFile); i++) await sleep(50);
    const answer = fs.readFileSync(answerFile, 'utf8');
    const result = await page.evaluate(async answer => {
      try {
        await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      } catch (e) {
        return 'refused: ' + e.message;
      }
      for (let i = 0; i < 200 && pc.connectionState !== 'connected' && pc.connectionState !== 'failed'; i++)
        await new Promise(r => setTimeout(r, 50));
      return pc.connectionState;
    }, answer);
    fs.writeFileSync(path.join(dir, 'result.txt'), result + '\n');
    await sleep(1500); // keep sending media while the gateway side counts it
  } finally {
    await browser.close();
  }
})().catch(e => {
  fs.writeFileSync(path.join(dir, 'result.txt'), 'error: ' + e.message + '\n');
  process.exit(1);
});
