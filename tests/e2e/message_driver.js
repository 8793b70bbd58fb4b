/*
 * Drives headless Chromium (playwright-core) through the sample app's chat box
 * (docs/examples/webrtc-ims-app/chat.js): the page registers, sends one message to bob
 * and then waits for one from IMS. Prints "R <name> <value>" lines for
 * tests/e2e/test_message_browser.sh; texts as hex of their UTF-8 bytes.
 *
 * env: APP_URL (page URL with gw and token), OUT_TEXT (what the page sends),
 *      TARGET (default sip:bob@ims.example.net), WAIT_IN (seconds to wait for a message).
 */
'use strict';
const { chromium } = require('playwright-core');

const env = process.env;
function R(name, value) { console.log('R ' + name + ' ' + value); }
const hex = (s) => Buffer.from(s, 'utf8').toString('hex');

(async () => {
	const browser = await chromium.launch({
		executablePath: env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const page = await browser.newPage();
	page.on('console', (m) => { if (env.VERBOSE) console.log('# page: ' + m.text()); });
	await page.goto(env.APP_URL);
	try {
		await page.waitForFunction('window.nwitApp && window.nwitApp.registered', null, { timeout: 10000 });
		R('registered', true);
	} catch (e) {
		R('registered', false);
	}
	R('discovery_services', await page.evaluate(() => ((window.nwitApp.discovery || {}).services || []).join(',')));
	R('out_status', await page.evaluate(([t, x]) => window.nwitApp.sendMessage(t, x),
		[env.TARGET || 'sip:bob@ims.example.net', env.OUT_TEXT]));
	R('ready_for_in', true);
	let got = false;
	try {
		await page.waitForFunction('window.nwitApp.messages.some((m) => m.direction === "in")', null,
			{ timeout: Number(env.WAIT_IN || 30) * 1000, polling: 100 });
		got = true;
	} catch (e) { /* none came */ }
	R('in_received', got);
	if (got) {
		const m = await page.evaluate(() => { const m = window.nwitApp.messages.find((x) => x.direction === 'in'); return { peer: m.peer, text: m.text, type: m.type }; });
		R('in_hex', hex(m.text));
		R('in_from', m.peer);
		R('in_type', m.type.replace(/\s+/g, ''));
	}
	R('shown', await page.evaluate(() => document.getElementById('messages').children.length));
	R('still_registered', await page.evaluate(() => window.nwitApp.registered));
	console.log('# page log:\n# ' + (await page.evaluate(() => window.nwitApp.events.join('\n# '))));
	await browser.close();
})().catch((e) => { console.log('R error ' + JSON.stringify(String(e))); process.exit(1); });
