/*
 * Headless Chromium (playwright-core) loads tests/e2e/jssip_register.html from the app's
 * origin and, once that page is registered, pages that must be refused (another origin
 * reusing the token, no token, an expired token). Prints "R <name> <value>" lines for test_jssip_register.sh, and
 * keeps the first page open until the file DONE_FILE exists.
 *
 * env: APP_URL (page with gw and token), HTTPS_APP_URL (the same over https),
 *      REFUSED_PAGES (NAME=URL ...), DONE_FILE, CHROMIUM.
 */
'use strict';
const fs = require('fs');
const { chromium } = require('playwright-core');

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
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update',
			'--disable-sync',
			/* the lab's certificates are self-signed */
			'--ignore-certificate-errors'],
	});
	const page = await browser.newPage();
	await page.goto(env.APP_URL);
	await waitFor(page, 'window.result && (window.result.discovery || window.result.error)', 10000);
	const d = await page.evaluate(() => window.result.discovery || {});
	R('discovery_version', d.version);
	R('discovery_status', d.status);
	R('discovery_reasons', (d.reasons || []).join(','));
	R('ws_url', d.websocket && d.websocket.url);
	R('token_authorized', d.token && d.token.authorized);
	R('token_impu', d.token && d.token.impu);
	await waitFor(page, 'window.result.registered || window.result.failed', 10000);
	const r = await page.evaluate(() => window.result);
	R('pau', r.pau);
	R('error', r.error || r.failed || '-');
	R('registered', r.registered);

	/* the app page over https, talking to the gateway over HTTPS and WSS */
	if (env.HTTPS_APP_URL) {
		const sp = await browser.newPage();
		await sp.goto(env.HTTPS_APP_URL);
		await waitFor(sp, 'window.result && (window.result.registered || window.result.failed || window.result.error)', 10000);
		const s = await sp.evaluate(() => window.result);
		R('https_ws_url', s.discovery && s.discovery.websocket && s.discovery.websocket.url);
		R('https_registered', s.registered);
		R('https_error', s.error || s.failed || '-');
		await sp.close();
	}

	/* pages that must be refused: NAME=URL, space separated */
	for (const item of (env.REFUSED_PAGES || '').split(' ').filter(Boolean)) {
		const name = item.slice(0, item.indexOf('='));
		const other = await browser.newPage();
		await other.goto(item.slice(item.indexOf('=') + 1));
		await waitFor(other, 'window.result && (window.result.discovery || window.result.error)', 10000);
		await waitFor(other, 'window.result.registered || window.result.failed', 3000);
		const o = await other.evaluate(() => window.result);
		const t = (o.discovery && o.discovery.token) || {};
		R(name + '_token_refusal', t.refusal || '-');
		R(name + '_token_impu', t.impu || '-');
		R(name + '_registered', o.registered);
		R(name + '_failed', o.failed || '-');
		R(name + '_events', o.events.join(',') || '-');
		await other.close();
	}
	R('refused_pages_done', true);

	for (let i = 0; i < 200 && !fs.existsSync(env.DONE_FILE); i++)
		await sleep(100);
	R('still_registered', await page.evaluate(() => window.result.registered));
	await browser.close();
})().catch((e) => {
	R('error', String(e).split('\n')[0]);
	process.exit(1);
});
