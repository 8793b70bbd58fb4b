/*
 * Drives headless Chromium (playwright-core) through the sample app in docs/examples for
 * file transfer: a session with dave (an IMS endpoint behind Kamailio's msrp relay) with
 * the page's data channel "msrp" bridged by nwitd. Prints "R <name> <value>" lines for
 * tests/e2e/test_file_transfer.sh.
 *
 * env: APP_URL (page URL with gw and token), SIZE (bytes the page sends), CASE:
 *   data   a session with a data channel only: the page sends SIZE random bytes and
 *          receives dave's file; both SHA-256 and the REPORT are printed; the page hangs up
 *   audio  the same next to a voice call (one bundled transport)
 *   abort  the page sends nothing and closes its peer connection once 1 MiB of dave's
 *          file arrived; nwitd must then end the session (BYE)
 *   in     like data, but dave calls the page (it answers; nwitd opens the channel)
 */
'use strict';
const { chromium } = require('playwright-core');

const env = process.env;
const size = Number(env.SIZE || 5242880);
const kase = env.CASE || 'data';

function R(name, value) { console.log('R ' + kase + '_' + name + ' ' + value); }
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
			'--disable-features=WebRtcHideLocalIpsWithMdns',
			...(env.TONE_WAV ? ['--use-file-for-fake-audio-capture=' + env.TONE_WAV] : []),
			'--unsafely-treat-insecure-origin-as-secure=' + new URL(env.APP_URL).origin,
		],
	});
	const page = await browser.newPage();
	page.on('console', (m) => { if (env.VERBOSE) console.log('# page: ' + m.text()); });
	try {
		await page.goto(env.APP_URL + (kase === 'in' ? '&autoanswer=1' : ''));
		R('registered', await waitFor(page, 'window.nwitApp && window.nwitApp.registered', 15000));
		const t0 = Date.now();
		if (kase !== 'in')
			await page.evaluate((audio) => window.nwitApp.callFile('sip:dave@ims.example.net', audio),
					    kase === 'audio');
		/* "in": dave calls; the page answers (autoanswer) and the device opens the channel */
		const up = await waitFor(page, 'window.nwitApp.state === "in call"', kase === 'in' ? Number(env.IN_WAIT_MS || 40000) : 20000);
		R('confirmed', up);
		if (!up) {
			R('failure', await page.evaluate(() => window.nwitApp.lastFailure || 'none'));
			R('failure_status', await page.evaluate(() => window.nwitApp.lastFailureStatus || 'none'));
			return;
		}
		const bound = await page.evaluate(() => Promise.race([
			window.nwitApp.ft.ready, new Promise((r) => setTimeout(() => r(false), 15000))]));
		R('bound', bound);
		R('setup_ms', Date.now() - t0);
		if (kase === 'abort') {
			/* close inside the message handler that passes 1 MiB: surely mid-transfer */
			await page.evaluate(() => {
				const app = window.nwitApp, ch = app.ft.channel, handler = ch.onmessage;
				ch.onmessage = (e) => {
					handler(e);
					if (app.ft.bytesIn >= (1 << 20) && !window.abortedAfter) {
						window.abortedAfter = app.ft.bytesIn;
						app.session.connection.close();
					}
				};
			});
			const got = await waitFor(page, 'window.abortedAfter > 0', 60000);
			R('aborted_after', got ? await page.evaluate(() => window.abortedAfter) : 'never');
			/* nwitd sees the association end, sends the failure REPORT, then BYE */
			R('ended', await waitFor(page, '!window.nwitApp.session', 30000));
			return;
		}
		const t1 = Date.now();
		const sent = await page.evaluate(async (size) => {
			const bytes = new Uint8Array(size);
			for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
			const sha = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
				.map((b) => b.toString(16).padStart(2, '0')).join('');
			const report = await Promise.race([window.nwitApp.sendFile(bytes, 'application/octet-stream'),
				new Promise((r) => setTimeout(() => r('none'), 120000))]);
			return { sha, report };
		}, size);
		R('sent_sha', sent.sha);
		R('report', String(sent.report).replace(/ /g, '_'));
		const got = await waitFor(page, 'window.nwitApp.files.length >= 1', 120000);
		R('transfer_ms', Date.now() - t1);
		if (got) {
			const f = await page.evaluate(() => ({ size: window.nwitApp.files[0].size, sha: window.nwitApp.files[0].sha256 }));
			R('recv_size', f.size);
			R('recv_sha', f.sha);
		} else {
			R('recv_size', await page.evaluate(() => window.nwitApp.ft.bytesIn));
		}
		R('errors', JSON.stringify(await page.evaluate(() => window.nwitApp.ft.errors)));
		if (kase === 'audio') {
			/* the echoed voice keeps coming next to the files: wait for a few seconds of it */
			let st = {};
			for (let i = 0; i < 40 && !((st.packets || 0) > 150); i++) {
				st = await page.evaluate(() => window.nwitApp.rxStats());
				await new Promise((r) => setTimeout(r, 250));
			}
			R('audio_packets', st.packets || 0);
		}
		await page.evaluate(() => window.nwitApp.hangup());
		R('ended', await waitFor(page, '!window.nwitApp.session', 10000));
	} catch (e) {
		R('error', JSON.stringify(String(e && e.message || e)));
	} finally {
		if (env.VERBOSE)
			console.log((await page.evaluate(() => window.nwitApp && window.nwitApp.events.join('\n')).catch(() => '')).replace(/^/gm, '# events: '));
		await browser.close();
	}
})();
