// Browser side of tests/unit/test_webrtc_interop.c, inside the test's network namespace.
//   node webrtc_interop.js DIR offer   Chromium offers audio+video (DIR/offer.sdp), then
//                                      applies DIR/answer.sdp
//   node webrtc_interop.js DIR answer  Chromium answers DIR/offer.sdp (DIR/answer.sdp)
// Either way the browser's view of the connection ends up in DIR/result.txt.
'use strict';
const path = require('path');
const fs = require('fs');
const { chromium } = require(path.join(__dirname, 'node_modules', 'playwright-core'));

const dir = process.argv[2];
const mode = process.argv[3] || 'offer';
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
    const waitFor = async file => {
      for (let i = 0; i < 300 && !fs.existsSync(file); i++) await sleep(50);
      return fs.readFileSync(file, 'utf8');
    };
    const publish = (name, text) => {
      fs.writeFileSync(path.join(dir, name + '.tmp'), text);
      fs.renameSync(path.join(dir, name + '.tmp'), path.join(dir, name));
    };
    await page.evaluate(() => {
      window.waitConnected = async () => {
        for (let i = 0; i < 200 && pc.connectionState !== 'connected' && pc.connectionState !== 'failed'; i++)
          await new Promise(r => setTimeout(r, 50));
        return pc.connectionState;
      };
    });
    let result;
    if (mode === 'offer') {
      publish('offer.sdp', await page.evaluate(async () => {
        window.pc = new RTCPeerConnection();
        const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        s.getTracks().forEach(t => pc.addTrack(t, s));
        await pc.setLocalDescription(await pc.createOffer());
        return pc.localDescription.sdp;
      }));
      const answer = await waitFor(path.join(dir, 'answer.sdp'));
      result = await page.evaluate(async answer => {
        try {
          await pc.setRemoteDescription({ type: 'answer', sdp: answer });
        } catch (e) {
          return 'refused: ' + e.message;
        }
        return await waitConnected();
      }, answer);
    } else {
      const offer = await waitFor(path.join(dir, 'offer.sdp'));
      const answer = await page.evaluate(async offer => {
        window.pc = new RTCPeerConnection();
        try {
          await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        } catch (e) {
          return 'refused: ' + e.message;
        }
        const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        for (const t of pc.getTransceivers()) {
          const track = t.receiver.track.kind === 'audio' ? s.getAudioTracks()[0] : s.getVideoTracks()[0];
          await t.sender.replaceTrack(track);
          t.sender.setStreams(s);
          t.direction = 'sendrecv';
        }
        await pc.setLocalDescription(await pc.createAnswer());
        return pc.localDescription.sdp;
      }, offer);
      if (answer.startsWith('refused'))
        result = answer;
      else {
        publish('answer.sdp', answer);
        result = await page.evaluate(() => waitConnected());
      }
    }
    fs.writeFileSync(path.join(dir, 'result.txt'), result + '\n');
    await sleep(1500); // keep sending media while the gateway side counts it
  } finally {
    await browser.close();
  }
})().catch(e => {
  fs.writeFileSync(path.join(dir, 'result.txt'), 'error: ' + e.message + '\n');
  process.exit(1);
});
