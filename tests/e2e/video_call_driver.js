/*
 * Drives headless Chromium (playwright-core) through the sample app in docs/examples for
 * one video call: register, call TARGET with the fake camera and microphone, tell the
 * test the call is up (IN_CALL_FILE), wait until it asks to hang up (HANGUP_FILE), report
 * the page's WebRTC statistics, hang up. Prints "R <name> <value>" lines for
 * tests/e2e/test_call_video.sh.
 *
 * env: APP_URL (page URL with gw, token and video=1), TARGET, IN_CALL_FILE, HANGUP_FILE
 */
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');

const env = process.env;

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
	const t0 = Date.now();
	await page.evaluate((t) => window.nwitApp.call(t, true), env.TARGET);
	const ok = await waitFor(page, 'window.nwitApp.state === "in call"', 15000);
	R('confirmed', ok);
	R('setup_ms', Date.now() - t0);
	if (!ok) {
		R('failure', await page.evaluate(() => window.nwitApp.lastFailure || '-'));
	} else {
		fs.writeFileSync(env.IN_CALL_FILE, 'up\n');
		const end = Date.now() + 90000;
		while (!fs.existsSync(env.HANGUP_FILE) && Date.now() < end)
			await sleep(200);
		R('rx', JSON.stringify(await page.evaluate(() => window.nwitApp.rxStats())));
		await page.evaluate(() => window.nwitApp.hangup());
		R('ended', await waitFor(page, 'window.nwitApp.state === "registered"', 5000));
	}
	console.log('# page log:\n# ' + (await page.evaluate(() => window.nwitApp.events.join('\n# '))));
	await browser.close();
})().catch((e) => { console.log('R error ' + JSON.stringify(String(e))); process.exit(1); });
