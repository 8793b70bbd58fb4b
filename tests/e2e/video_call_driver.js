/*
 * Drives headless Chromium (playwright-core) through the sample app in docs/examples for
 * video calls with the fake camera and microphone. Steps (STEPS, comma list):
 *   out  call TARGET;
 *   in   answer the next incoming call (autoanswer; SYNC_DIR/in_ready says it is set);
 *   upgrade  call TARGET with audio only, then add the camera (re-INVITE).
 * Each step starts when SYNC_DIR/<step>_go exists. For each call: SYNC_DIR/<step>_in_call
 * tells the test it is up; the driver waits for
 * SYNC_DIR/<step>_hangup, reports the page's WebRTC statistics and hangs up. Prints
 * "R <name> <value>" lines for tests/e2e/test_call_video.sh.
 *
 * env: APP_URL (page URL with gw, token and video=1), TARGET, STEPS, SYNC_DIR
 */
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');

const env = process.env;
const steps = (env.STEPS || 'out').split(',');
const sync = env.SYNC_DIR;

function R(name, value) { console.log('R ' + name + ' ' + value); }
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
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
			'--unsafely-treat-insecure-origin-as-secure=' + new URL(env.APP_URL).origin,
		],
	});
	const page = await browser.newPage();
	page.on('console', (m) => { if (env.VERBOSE) console.log('# page: ' + m.text()); });
	await page.goto(env.APP_URL);
	R('registered', await waitFor(page, 'window.nwitApp && window.nwitApp.registered', 10000));
	R('discovery', JSON.stringify(await page.evaluate(() => window.nwitApp.discovery || {})));

	/* the call is up: let the test look at it, then report and hang up */
	async function during(tag) {
		fs.writeFileSync(sync + '/' + tag + '_in_call', 'up\n');
		const end = Date.now() + 90000;
		while (!fs.existsSync(sync + '/' + tag + '_hangup') && Date.now() < end)
			await sleep(200);
		R(tag + '_rx', JSON.stringify(await page.evaluate(() => window.nwitApp.rxStats())));
		await page.evaluate(() => window.nwitApp.hangup());
		R(tag + '_ended', await waitFor(page, 'window.nwitApp.state === "registered"', 5000));
	}

	for (const step of steps) {
		let ok, setupMs;
		/* the test readies dave for this step, then says go */
		const until = Date.now() + 30000;
		while (!fs.existsSync(sync + '/' + step + '_go') && Date.now() < until)
			await sleep(100);
		const t0 = Date.now();
		if (step === 'out') {
			await page.evaluate((t) => window.nwitApp.call(t, true), env.TARGET);
			ok = await waitFor(page, 'window.nwitApp.state === "in call"', 15000);
		} else if (step === 'in') {
			await page.evaluate(() => { document.getElementById('autoanswer').checked = true; });
			fs.writeFileSync(sync + '/in_ready', 'ready\n');
			ok = await waitFor(page, 'window.nwitApp.state === "in call"', 30000);
		} else if (step === 'upgrade') {
			await page.evaluate((t) => window.nwitApp.call(t, false), env.TARGET);
			ok = await waitFor(page, 'window.nwitApp.state === "in call"', 15000);
			setupMs = Date.now() - t0;
			if (ok) {
				await sleep(2000);
				R('upgrade', await page.evaluate(() => window.nwitApp.addVideo()));
			}
		} else {
			continue;
		}
		R(step + '_confirmed', ok);
		R(step + '_setup_ms', setupMs || Date.now() - t0);
		if (ok)
			await during(step);
		else
			R(step + '_failure', await page.evaluate(() => window.nwitApp.lastFailure || '-'));
	}
	console.log('# page log:\n# ' + (await page.evaluate(() => window.nwitApp.events.join('\n# '))));
	await browser.close();
})().catch((e) => { console.log('R error ' + JSON.stringify(String(e))); process.exit(1); });
