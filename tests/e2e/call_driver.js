/*
 * Drives headless Chromium (playwright-core) through the sample app in docs/examples:
 * register, call bob, measure the tone both ways, hang up, call again, then receive a
 * call from bob. Prints "R <name> <value>" lines for tests/e2e/test_call_browser.sh.
 *
 * env: APP_URL (page URL with gw and token), TONE_WAV (440 Hz capture file),
 *      IMS_SH, TONE_PY (lab helpers), CALL_SECONDS (audio time per call), STEPS
 *      (comma list of: out, out2, in).
 */
'use strict';
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');

const env = process.env;
const secs = Number(env.CALL_SECONDS || 5);
const steps = (env.STEPS || 'out,out2,hold,in,inhold').split(',');

function R(name, value) { console.log('R ' + name + ' ' + value); }
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
function sh(...args) {
	try {
		return execFileSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 20000 }).trim();
	} catch (e) {
		return 'error: ' + (e.stderr || e.message).toString().trim();
	}
}
/* The tone bob (or who) heard in his newest recording; part: tone.py's --first/--last. */
function bobHeard(who, ...part) {
	const rec = sh(env.IMS_SH, 'ue-recording', who || 'bob');
	const hz = sh('python3', env.TONE_PY, rec, ...part);
	return hz.split(' ')[0];
}
/* The page's microphone becomes a hz tone (WebAudio), on the call's audio sender. */
async function sendTone(page, hz) {
	return page.evaluate(async (f) => {
		const pc = window.nwitApp.session && window.nwitApp.session.connection;
		const sender = pc && pc.getSenders().find((x) => x.track && x.track.kind === 'audio');
		if (!sender)
			return 'no_audio_sender';
		const ctx = new AudioContext();
		const osc = ctx.createOscillator();
		const dst = ctx.createMediaStreamDestination();
		osc.frequency.value = f;
		osc.connect(dst);
		osc.start();
		await ctx.resume();
		await sender.replaceTrack(dst.stream.getAudioTracks()[0]);
		window.nwitTone = { ctx, osc };
		return 'ok';
	}, hz);
}
async function waitFor(page, expr, ms) {
	try {
		await page.waitForFunction(expr, null, { timeout: ms, polling: 100 });
		return true;
	} catch (e) {
		return false;
	}
}

(async () => {
	const browser = await chromium.launch({
		executablePath: env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: [
			'--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			'--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
			'--autoplay-policy=no-user-gesture-required',
			'--use-file-for-fake-audio-capture=' + env.TONE_WAV,
			'--disable-features=WebRtcHideLocalIpsWithMdns',
			/* the lab's app server is plain HTTP; getUserMedia needs a secure context */
			'--unsafely-treat-insecure-origin-as-secure=' + new URL(env.APP_URL).origin,
		],
	});
	const page = await browser.newPage();
	page.on('console', (m) => { if (env.VERBOSE) console.log('# page: ' + m.text()); });
	if (env.JSSIP_DEBUG)
		await page.addInitScript(() => { localStorage.debug = 'JsSIP:*'; });
	await page.goto(env.APP_URL);
	R('registered', await waitFor(page, 'window.nwitApp && window.nwitApp.registered', 10000));

	async function outgoing(tag) {
		const t0 = Date.now();
		await page.evaluate(() => window.nwitApp.call('sip:bob@ims.example.net'));
		const ok = await waitFor(page, 'window.nwitApp.state === "in call"', 15000);
		R(tag + '_confirmed', ok);
		R(tag + '_setup_ms', Date.now() - t0);
		if (!ok) {
			R(tag + '_failure', await page.evaluate(() => window.nwitApp.lastFailure || '-'));
			return;
		}
		await sleep(1500);
		R(tag + '_rx', JSON.stringify(await page.evaluate(() => window.nwitApp.rxStats())));
		R(tag + '_page_hz', await page.evaluate((ms) => window.nwitApp.measure(ms), secs * 1000));
		const holds = steps.includes('hold') && tag === (steps.includes('out2') ? 'out2' : 'out');
		if (holds) {
			R('hold', await page.evaluate(() => window.nwitApp.hold()));
			await sleep(1000);
			R('held_page_hz', await page.evaluate(() => window.nwitApp.measure(1500)));
			/* resume with UPDATE (hold went as re-INVITE): both kinds of session change */
			R('resume', await page.evaluate(() => { window.nwitApp.useUpdate = true; return window.nwitApp.unhold(); }));
			await page.evaluate(() => { window.nwitApp.useUpdate = false; });
			/* after the resume the page sends 660 Hz: what reaches bob from then on */
			R('resume_tone', await sendTone(page, 660));
			R('resume_tone_from', (Date.now() / 1000).toFixed(3));
			await sleep(1000);
			R('resumed_page_hz', await page.evaluate((ms) => window.nwitApp.measure(ms), 2000));
			R('resume_tone_until', (Date.now() / 1000).toFixed(3));
		}
		await page.evaluate(() => window.nwitApp.hangup());
		R(tag + '_ended', await waitFor(page, 'window.nwitApp.state === "registered"', 5000));
		await sleep(800);
		/* bob's recording: the 440 Hz before any hold (baresip 1.0 records nothing after a
		 * re-INVITE; what reaches him after the resume is measured from a capture) */
		R(tag + '_bob_hz', holds ? bobHeard('bob', '--first', String(secs)) : bobHeard());
	}

	if (steps.includes('out'))
		await outgoing('out');
	if (steps.includes('out2'))
		await outgoing('out2');
	if (steps.includes('early')) {
		/* carol answers with early media only (183 with SDP): hear it, then cancel */
		await page.evaluate(() => window.nwitApp.call('sip:carol@ims.example.net'));
		R('early_progress', await waitFor(page, 'window.nwitApp.events.some((e) => e.includes("carol") && e.includes("progress")) && !!window.nwitApp.remoteStream', 10000));
		await sleep(1500);
		R('early_page_hz', await page.evaluate((ms) => window.nwitApp.measure(ms), 2000));
		await page.evaluate(() => window.nwitApp.hangup());
		R('early_ended', await waitFor(page, 'window.nwitApp.state === "registered" && !window.nwitApp.session', 5000));

	}
	if (steps.includes('badfp')) {
		/* the fingerprint the page signals does not match its DTLS certificate */
		await page.evaluate(() => {
			const d = Object.getOwnPropertyDescriptor(RTCPeerConnection.prototype, 'localDescription');
			Object.defineProperty(RTCPeerConnection.prototype, 'localDescription', {
				configurable: true,
				get() {
					const v = d.get.call(this);
					if (!v || !window.nwitMungeFingerprint)
						return v;
					return new RTCSessionDescription({ type: v.type, sdp: v.sdp.replace(
						/a=fingerprint:sha-256 (..)/g, (m, b) => 'a=fingerprint:sha-256 ' + (b === '00' ? '11' : '00')) });
				},
			});
			window.nwitMungeFingerprint = true;
		});
		await page.evaluate(() => window.nwitApp.call('sip:bob@ims.example.net'));
		R('badfp_confirmed', await waitFor(page, 'window.nwitApp.state === "in call"', 10000));
		R('badfp_ended', await waitFor(page, 'window.nwitApp.state === "registered"', 10000));
		await page.evaluate(() => { window.nwitMungeFingerprint = false; });
	}
	if (steps.includes('in')) {
		await page.evaluate(() => { document.getElementById('autoanswer').checked = true; });
		sh(env.IMS_SH, 'ue', 'dial', 'bob', 'sip:alice@ims.example.net');
		const ok = await waitFor(page, 'window.nwitApp.state === "in call"', 15000);
		R('in_confirmed', ok);
		if (ok) {
			await sleep(1500);
			R('in_page_hz', await page.evaluate((ms) => window.nwitApp.measure(ms), secs * 1000));
			if (steps.includes('inhold')) {	/* bob holds and resumes: re-INVITEs from IMS */
				R('bob_hold', sh(env.IMS_SH, 'ue', 'hold', 'bob').split('\n')[0].replace(/\s+/g, '_') || 'ok');
				R('bob_held', await waitFor(page, 'window.nwitApp.events.some((e) => e.includes("on hold"))', 5000));
				R('bob_resume', sh(env.IMS_SH, 'ue', 'resume', 'bob').split('\n')[0].replace(/\s+/g, '_') || 'ok');
				R('bob_resumed', await waitFor(page, 'window.nwitApp.events.some((e) => e.includes("resumed"))', 5000));
				await sleep(1000);
				R('in_resumed_page_hz', await page.evaluate((ms) => window.nwitApp.measure(ms), 2000));
			}
			sh(env.IMS_SH, 'ue', 'hangup', 'bob');
			R('in_ended', await waitFor(page, 'window.nwitApp.state === "registered"', 5000));
			await sleep(800);
			R('in_bob_hz', bobHeard());
		}
	}
	R('still_registered', await page.evaluate(() => window.nwitApp.registered));
	console.log('# page log:\n# ' + (await page.evaluate(() => window.nwitApp.events.join('\n# '))));
	await browser.close();
})().catch((e) => { console.log('R error ' + JSON.stringify(String(e))); process.exit(1); });
