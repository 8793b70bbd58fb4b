/*
 * Sample app: JsSIP over the device's WebSocket endpoint. window.nwitApp is the small API
 * the page's buttons use (and the end-to-end tests drive).
 */
'use strict';

(function () {
	const q = new URLSearchParams(location.search);
	const gw = q.get('gw') || 'http://192.0.2.1:8461';
	const token = q.get('token') || '';
	const logEl = document.getElementById('log');
	const app = {
		state: 'starting', registered: false, session: null, calls: 0, events: [],
		remoteStream: null, incoming: 0, ft: null, files: [],
	};
	window.nwitApp = app;

	function log(msg) {
		const line = new Date().toISOString().substr(11, 12) + ' ' + msg;
		app.events.push(line);
		logEl.textContent += line + '\n';
	}
	function setStatus(s) {
		app.state = s;
		document.getElementById('status').textContent = s;
		log('status: ' + s);
	}

	/* A steady tone is suppressed by the browser's voice processing: turn it off. */
	function mediaConstraints(video) {
		return {
			audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
			video: !!video,
		};
	}
	/* video calls: the "video" box, or ?video=1 */
	function wantVideo() {
		return document.getElementById('video').checked;
	}

	function attachRemote(session) {
		session.connection.addEventListener('track', (ev) => {
			const stream = ev.streams[0] || new MediaStream([ev.track]);
			if (ev.track.kind === 'video') {
				const v = document.getElementById('remoteVideo');
				v.srcObject = new MediaStream([ev.track]);
				v.play().catch(() => {});
				log('remote video track');
				return;
			}
			app.remoteStream = stream;
			/* Chromium feeds WebAudio from a remote stream only while an element plays it */
			const el = new Audio();
			el.srcObject = stream;
			el.play().catch(() => {});
			app.remoteAudio = el;
			log('remote ' + ev.track.kind + ' track');
		});
	}

	function watch(session, what) {
		app.session = session;
		/*
		 * The device is ICE-lite and the browser makes the checks: the host candidates are
		 * all it needs, so the offer/answer goes out shortly after the first candidate
		 * instead of waiting for gathering to finish.
		 */
		let readyTimer = null;
		session.on('icecandidate', (e) => {
			if (!readyTimer)
				readyTimer = setTimeout(() => e.ready(), 300);
		});
		session.on('sending', () => log(what + ': sending INVITE'));
		session.on('progress', () => log(what + ': progress'));
		session.on('accepted', () => log(what + ': accepted'));
		session.on('confirmed', () => { app.calls++; setStatus('in call'); });
		session.on('hold', () => log(what + ': on hold'));
		session.on('unhold', () => log(what + ': resumed'));
		session.on('ended', (e) => { log(what + ' ended: ' + e.cause); app.session = null; setStatus('registered'); });
		session.on('failed', (e) => {
			log(what + ' failed: ' + e.cause + (e.message && e.message.status_code ? ' (' + e.message.status_code + ' ' + e.message.reason_phrase + ')' : ''));
			app.lastFailure = e.cause;
			app.lastFailureStatus = e.message && e.message.status_code;
			app.session = null;
			setStatus('registered');
		});
		if (session.connection)
			attachRemote(session);
		else
			session.on('peerconnection', () => attachRemote(session));
	}

	app.call = function (target, video) {
		const s = ua.call(target, { mediaConstraints: mediaConstraints(video === undefined ? wantVideo() : video),
			pcConfig: { iceServers: [] } });
		watch(s, 'call to ' + target);
		setStatus('calling');
	};

	/* File transfer (filetransfer.js): received files are listed with their SHA-256. */
	function showFile(f) {
		app.files.push(f);
		const li = document.createElement('li');
		const a = document.createElement('a');
		a.href = URL.createObjectURL(f.blob);
		a.download = 'file-' + app.files.length;
		a.textContent = a.download + ' (' + f.size + ' bytes)';
		li.appendChild(a);
		li.appendChild(document.createTextNode(' SHA-256 ' + f.sha256));
		document.getElementById('files').appendChild(li);
	}
	function attachFiles(session, open) {
		app.ft = NwitFileTransfer.attach(session, { open, onFile: showFile, onLog: log });
		return app.ft;
	}
	/* A session for files only (audio: true adds a voice call next to it). */
	app.callFile = function (target, audio) {
		const s = ua.call(target, { mediaConstraints: audio ? mediaConstraints(false) : { audio: false, video: false },
					    pcConfig: { iceServers: [] } });
		watch(s, 'file session with ' + target);
		attachFiles(s, true);
		setStatus('calling');
	};
	/* Send bytes (a Uint8Array) on the current session; resolves with the REPORT status. */
	app.sendFile = async function (bytes, type) {
		if (!app.ft)
			return 'no file session';
		return app.ft.send(bytes, type);
	};
	/* Hold and resume (re-INVITE with a=sendonly / a=sendrecv); resolve with the outcome. */
	function holdOp(what) {
		return new Promise((resolve) => {
			const s = app.session;
			if (!s)
				return resolve('no call');
			const done = (r) => { s.removeListener(what === 'hold' ? 'hold' : 'unhold', ok); resolve(r); };
			const ok = () => done('ok');
			s.on(what === 'hold' ? 'hold' : 'unhold', ok);
			/* useUpdate: the change goes as UPDATE instead of re-INVITE */
			const opts = { useUpdate: !!app.useUpdate };
			const fired = what === 'hold' ? s.hold(opts, () => done('refused')) : s.unhold(opts, () => done('refused'));
			if (!fired)
				done('not possible now');
			setTimeout(() => done('timeout'), 8000);
		});
	}
	/* Add the camera to a call without video (re-INVITE offering a video m= line). */
	app.addVideo = async function () {
		const s = app.session;
		if (!s || !s.connection)
			return 'no call';
		const cam = await navigator.mediaDevices.getUserMedia({ video: true });
		const audio = s.connection.getSenders().find((x) => x.track && x.track.kind === 'audio');
		const streams = audio && audio.track ? [new MediaStream([audio.track, ...cam.getVideoTracks()])] : [cam];
		cam.getVideoTracks().forEach((t) => s.connection.addTrack(t, streams[0]));
		return new Promise((resolve) => {
			const fired = s.renegotiate({}, () => resolve('ok'));
			if (!fired)
				resolve('not possible now');
			setTimeout(() => resolve('timeout'), 8000);
		});
	};
	app.hold = () => holdOp('hold');
	app.unhold = () => holdOp('unhold');

	app.hangup = function () {
		if (app.session)
			app.session.terminate();
	};

	/* Received audio according to the browser's WebRTC statistics. */
	app.rxStats = async function () {
		if (!app.session || !app.session.connection)
			return {};
		const out = {};
		const stats = await app.session.connection.getStats();
		const mime = (id) => (stats.get(id) || {}).mimeType;
		stats.forEach((r) => {
			if (r.type === 'inbound-rtp' && r.kind === 'audio')
				Object.assign(out, { packets: r.packetsReceived, lost: r.packetsLost,
					energy: r.totalAudioEnergy, codec: r.codecId });
			if (r.type === 'inbound-rtp' && r.kind === 'video')
				out.video = { packets: r.packetsReceived, frames: r.framesDecoded,
					keyframes: r.keyFramesDecoded, width: r.frameWidth, codec: mime(r.codecId) };
			if (r.type === 'outbound-rtp' && r.kind === 'video')
				out.videoSent = { packets: r.packetsSent, frames: r.framesEncoded,
					codec: mime(r.codecId) };
			if (r.type === 'transport')
				Object.assign(out, { dtls: r.dtlsState, srtp: r.srtpCipher });
		});
		return out;
	};

	/* Frequency of the strongest tone in the remote audio (Hz), averaged over ms. */
	app.measure = async function (ms) {
		if (!app.remoteStream || !app.remoteStream.getAudioTracks().length)
			return 0;	/* nothing received (e.g. on hold) */
		const ctx = new AudioContext();
		await ctx.resume();
		const src = ctx.createMediaStreamSource(app.remoteStream);
		const an = ctx.createAnalyser();
		an.fftSize = 16384;
		an.smoothingTimeConstant = 0;
		src.connect(an);
		const bins = new Float32Array(an.frequencyBinCount);
		const found = [];
		const end = Date.now() + (ms || 2000);
		while (Date.now() < end) {
			await new Promise((r) => setTimeout(r, 250));
			an.getFloatFrequencyData(bins);
			let best = 1;
			for (let i = 2; i < bins.length - 1; i++)
				if (bins[i] > bins[best]) best = i;
			if (bins[best] < -90)
				continue;	/* silence */
			/* parabolic interpolation around the peak */
			const a = bins[best - 1], b = bins[best], c = bins[best + 1];
			const p = 0.5 * (a - c) / (a - 2 * b + c);
			found.push((best + p) * ctx.sampleRate / an.fftSize);
		}
		src.disconnect();
		await ctx.close();
		if (!found.length)
			return 0;
		found.sort((x, y) => x - y);
		const f = Math.round(found[Math.floor(found.length / 2)]);
		document.getElementById('freq').textContent = f + ' Hz';
		return f;
	};

	let ua;
	async function start() {
		let uri = q.get('uri');
		try {
			/* with the operator token the document also tells services, codecs and state */
			const r = await fetch(gw + '/.well-known/webrtc-ims',
				token ? { headers: { Authorization: 'Bearer ' + token } } : {});
			const doc = await r.json();
			app.discovery = doc;
			document.getElementById('device').textContent = JSON.stringify(doc).substr(0, 200);
			log('discovery: ' + JSON.stringify(doc));
		} catch (e) {
			log('discovery failed: ' + e);
		}
		uri = uri || 'sip:alice@ims.example.net';
		const wsUrl = gw.replace(/^http/, 'ws') + '/sip' + (token ? '?access_token=' + encodeURIComponent(token) : '');
		ua = new JsSIP.UA({
			sockets: [new JsSIP.WebSocketInterface(wsUrl)],
			uri,
			register: true,
			session_timers: false,
			user_agent: 'nwit sample app',
		});
		app.ua = ua;
		window.dispatchEvent(new CustomEvent('nwit-ua', { detail: ua }));	/* chat.js */
		ua.on('registered', () => { app.registered = true; setStatus('registered'); });
		ua.on('registrationFailed', (e) => log('registration failed: ' + e.cause));
		ua.on('newRTCSession', (e) => {
			if (e.originator !== 'remote')
				return;
			app.incoming++;
			log('incoming call from ' + e.request.from.uri.toString());
			watch(e.session, 'call from ' + e.request.from.uri.user);
			if (/\r\nm=application /.test(e.request.body || ''))
				attachFiles(e.session, false);
			if (document.getElementById('autoanswer').checked || q.get('autoanswer'))
				e.session.answer({ mediaConstraints: mediaConstraints(wantVideo()),
					pcConfig: { iceServers: [] } });
		});
		ua.start();
	}
	document.getElementById('call').onclick = () => app.call(document.getElementById('target').value);
	document.getElementById('hangup').onclick = () => app.hangup();
	document.getElementById('sendfile').onclick = async () => {
		const input = document.getElementById('file');
		if (!input.files.length)
			return log('choose a file first');
		if (!app.session)
			app.callFile(document.getElementById('target').value);
		const bytes = new Uint8Array(await input.files[0].arrayBuffer());
		log('sending ' + input.files[0].name + ': ' + await app.sendFile(bytes, input.files[0].type));
	};
	document.getElementById('autoanswer').checked = !!q.get('autoanswer');
	document.getElementById('video').checked = !!q.get('video');
	start();
})();
