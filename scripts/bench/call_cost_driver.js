/*
 * Browser side of scripts/bench/call_cost.sh: headless Chromium runs the sample app
 * (docs/examples) and places N_OUT short calls to bob, takes N_IN short calls from bob
 * (auto-answer), then holds one call to bob for HOLD_SECONDS while it samples nwitd's
 * /proc counters and its call's media counters at the start and the end of that window.
 * Prints "R <name> <value>" lines (values are JSON).
 *
 * env: E2E_DIR (tests/e2e, for its node_modules), APP_URL, TONE_WAV, IMS_SH, NWITCTL,
 *      NWITD_SOCK, NWITD_PID, N_OUT, N_IN, HOLD_SECONDS, CHROMIUM.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { chromium } = require(path.join(process.env.E2E_DIR, 'node_modules', 'playwright-core'));

const env = process.env;
const nOut = Number(env.N_OUT || 10);
const nIn = Number(env.N_IN || 10);
const holdSecs = Number(env.HOLD_SECONDS || 60);

function R(name, value) { console.log('R ' + name + ' ' + JSON.stringify(value)); }
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
function sh(...args) {
	try {
		return execFileSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 20000 }).trim();
	} catch (e) {
		return 'error: ' + (e.stderr || e.message).toString().trim();
	}
}
function status() {
	return JSON.parse(execFileSync(env.NWITCTL, ['-s', env.NWITD_SOCK, '-j', 'status'],
		{ encoding: 'utf8', timeout: 10000 }));
}
async function waitFor(page, expr, ms) {
	try {
		await page.waitForFunction(expr, null, { timeout: ms, polling: 50 });
		return true;
	} catch (e) {
		return false;
	}
}

/* nwitd's CPU ticks (whole process), CPU ns and context switches summed over its threads */
function procSample() {
	const pid = env.NWITD_PID;
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	/* fields after "comm": index 0 is field 3 (state); utime is field 14, stime 15 */
	const s = { utime: Number(f[11]), stime: Number(f[12]), vol: 0, invol: 0, run_ns: 0, threads: 0 };
	for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
		const st = fs.readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
		/* schedstat: time on the CPU in ns (finer than the 10 ms ticks of utime/stime) */
		s.run_ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
		s.vol += Number((/^voluntary_ctxt_switches:\s+(\d+)/m.exec(st) || [0, 0])[1]);
		s.invol += Number((/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(st) || [0, 0])[1]);
		s.threads++;
	}
	s.t = process.hrtime.bigint().toString();
	return s;
}

/* the timeline of the call that just ended, as {event: us} of the events that matter */
function lastTimeline() {
	try {
		const ended = status().calls.ended;
		const c = ended[ended.length - 1];
		return { id: c.id, direction: c.direction, end: c.end_reason,
			tl: c.timeline.map((e) => [e.us, e.event]) };
	} catch (e) {
		return { error: String(e) };
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
			'--unsafely-treat-insecure-origin-as-secure=' + new URL(env.APP_URL).origin,
		],
	});
	const page = await browser.newPage();
	await page.goto(env.APP_URL);
	R('registered', await waitFor(page, 'window.nwitApp && window.nwitApp.registered', 10000));

	const idle = 'window.nwitApp.state === "registered" && !window.nwitApp.session';
	for (let i = 0; i < nOut; i++) {
		await page.evaluate(() => window.nwitApp.call('sip:bob@ims.example.net'));
		const ok = await waitFor(page, 'window.nwitApp.state === "in call"', 15000);
		await sleep(700);
		await page.evaluate(() => window.nwitApp.hangup());
		const ended = await waitFor(page, idle, 8000);
		await sleep(300);
		R('out_call', { i, ok, ended, timeline: lastTimeline() });
	}
	await page.evaluate(() => { document.getElementById('autoanswer').checked = true; });
	for (let i = 0; i < nIn; i++) {
		sh(env.IMS_SH, 'ue', 'dial', 'bob', 'sip:alice@ims.example.net');
		const ok = await waitFor(page, 'window.nwitApp.state === "in call"', 15000);
		await sleep(700);
		sh(env.IMS_SH, 'ue', 'hangup', 'bob');
		const ended = await waitFor(page, idle, 8000);
		await sleep(300);
		R('in_call', { i, ok, ended, timeline: lastTimeline() });
	}
	await page.evaluate(() => { document.getElementById('autoanswer').checked = false; });

	/* the long call: measured from 3 s after it is established (DTLS done, flows set) */
	await page.evaluate(() => window.nwitApp.call('sip:bob@ims.example.net'));
	const ok = await waitFor(page, 'window.nwitApp.state === "in call"', 15000);
	R('long_confirmed', ok);
	if (ok) {
		await sleep(3000);
		const rx0 = await page.evaluate(() => window.nwitApp.rxStats());
		const s0 = status().calls.calls;	/* outside the window: the query wakes nwitd */
		const p0 = procSample();
		await sleep(holdSecs * 1000);
		const p1 = procSample();
		const s1 = status().calls.calls;
		const rx1 = await page.evaluate(() => window.nwitApp.rxStats());
		R('long_window', { p0, p1, media0: s0.length ? s0[0].media : null,
			media1: s1.length ? s1[0].media : null, rx0, rx1 });
		await page.evaluate(() => window.nwitApp.hangup());
		R('long_ended', await waitFor(page, idle, 8000));
	}
	await browser.close();
})().catch((e) => { console.log('R error ' + JSON.stringify(String(e))); process.exit(1); });
