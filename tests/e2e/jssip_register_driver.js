/*
 * Headless Chromium (playwright-core) loads tests/e2e/jssip_register.html from the app's
 * origin and, once that page is registered, the same page from a second origin that reuses
 * the first one's token. Prints "R <name> <value>" lines for test_jssip_register.sh, and
 * keeps the first page open until the file DONE_FILE exists.
 *
 * env: APP_URL, OTHER_URL (pages with gw and token), DONE_FILE, CHROMIUM.
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
			'--disable-sync'],
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

	/* the same app page served by another origin, with the first origin's token */
	const other = await browser.newPage();
	await other.goto(env.OTHER_URL);
	await waitFor(other, 'window.result && (window.result.discovery || window.result.error)', 10000);
	await sleep(2000);
	const o = await other.evaluate(() => window.result);
	R('other_token_refusal', o.discovery && o.discovery.token && o.discovery.token.refusal);
	R('other_token_impu', o.discovery && o.discovery.token && o.discovery.token.impu);
	R('other_registered', o.registered);
	R('other_events', o.events.join(','));
	await other.close();

	for (let i = 0; i < 200 && !fs.existsSync(env.DONE_FILE); i++)
		await sleep(100);
	R('still_registered', await page.evaluate(() => window.result.registered));
	await browser.close();
})().catch((e) => {
	R('error', String(e).split('\n')[0]);
	process.exit(1);
});
