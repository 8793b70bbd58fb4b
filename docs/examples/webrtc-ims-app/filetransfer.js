/*
 * File transfer for the sample app: MSRP (RFC 4975) on a WebRTC data channel with
 * protocol "msrp" (RFC 8873). The device bridges that channel to an MSRP session toward
 * IMS (its answer names its side of the channel in a=dcsa:<n> path:...).
 *
 *   const ft = NwitFileTransfer.attach(session, { open: true, onFile, onLog });
 *     open: true for calls this page makes (the page opens the channel), false for calls
 *     it answers (the device opens it); onFile({ size, sha256, type, blob }) for each file
 *     received; ft.ready resolves once the channel is open and the session bound.
 *   await ft.send(bytes, type)  -> the final REPORT's status ("000 200 OK", or a failure)
 */
'use strict';

(function () {
	const enc = new TextEncoder();
	const latin1 = new TextDecoder('latin1');
	const CHUNK = 60000;		/* data per SEND: well under 256 KiB max-message-size */
	const HIGH_WATER = 4 << 20;	/* bytes buffered in the channel before we wait */

	const ident = () => Math.random().toString(36).slice(2, 12) + Math.random().toString(36).slice(2, 8);
	const hex = async (buf) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', buf))]
		.map((b) => b.toString(16).padStart(2, '0')).join('');

	function parse(u8) {
		const t = latin1.decode(u8);
		const first = t.slice(0, t.indexOf('\r\n')).split(' ');
		const tid = first[1], end = t.lastIndexOf('\r\n-------' + tid);
		const blank = t.indexOf('\r\n\r\n');
		const hasBody = blank >= 0 && blank < end;
		const h = {};
		for (const line of t.slice(0, hasBody ? blank : end).split('\r\n').slice(1)) {
			const i = line.indexOf(':');
			if (i > 0) h[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
		}
		return { tid, method: first[2], h, body: hasBody ? u8.subarray(blank + 4, end) : null,
			 flag: t[end + 9 + tid.length] };
	}

	function attach(session, opts) {
		const me = 'msrp://' + ident() + '.invalid/' + ident() + ';dc';
		const ft = { channel: null, gw: null, received: [], reports: [], errors: [], bytesIn: 0 };
		const log = opts.onLog || (() => {});
		const sent = {};		/* Message-ID -> resolve(status) */
		const incoming = {};		/* Message-ID -> { buf, got, total, type } */
		let bindTid = null;
		let readyResolve;
		ft.ready = new Promise((r) => { readyResolve = r; });

		function frame(tid, start, headers, body, flag) {
			const head = enc.encode(`MSRP ${tid} ${start}\r\nTo-Path: ${ft.gw}\r\nFrom-Path: ${me}\r\n` +
				headers + (body ? '\r\n' : ''));
			const tail = enc.encode(`${body ? '\r\n' : ''}-------${tid}${flag}\r\n`);
			const out = new Uint8Array(head.length + (body ? body.length : 0) + tail.length);
			out.set(head, 0);
			if (body) out.set(body, head.length);
			out.set(tail, head.length + (body ? body.length : 0));
			return out;
		}

		async function onSend(f) {
			const id = f.h['message-id'];
			const [range, totalText] = (f.h['byte-range'] || '1-*/*').split('/');
			const start = parseInt(range.split('-')[0], 10);
			if (f.h['failure-report'] !== 'no')
				ft.channel.send(enc.encode(`MSRP ${f.tid} 200 OK\r\nTo-Path: ${ft.gw}\r\nFrom-Path: ${me}\r\n-------${f.tid}$\r\n`));
			if (!f.body || !f.body.length)
				return;		/* a bodiless SEND binds the session */
			let m = incoming[id];
			if (!m) {
				const total = parseInt(totalText, 10);
				if (!(total > 0)) {
					ft.errors.push('a message of unknown size');
					return;
				}
				m = incoming[id] = { buf: new Uint8Array(total), got: 0, total, type: f.h['content-type'] || '' };
			}
			m.buf.set(f.body, start - 1);
			m.got += f.body.length;
			ft.bytesIn += f.body.length;
			if (m.got < m.total)
				return;
			delete incoming[id];
			if (f.h['success-report'] === 'yes')
				ft.channel.send(frame(ident(), 'REPORT', `Message-ID: ${id}\r\nByte-Range: 1-${m.total}/${m.total}\r\nStatus: 000 200 OK\r\n`, null, '$'));
			const file = { size: m.total, sha256: await hex(m.buf), type: m.type,
				       blob: new Blob([m.buf], { type: m.type || 'application/octet-stream' }) };
			ft.received.push(file);
			log('file received: ' + file.size + ' bytes, SHA-256 ' + file.sha256);
			if (opts.onFile) opts.onFile(file);
		}

		function onMessage(e) {
			const f = parse(new Uint8Array(e.data));
			if (f.method === 'SEND') {
				onSend(f);
			} else if (f.method === 'REPORT') {
				const id = f.h['message-id'];
				ft.reports.push(id + ' ' + f.h.status);
				log('REPORT for ' + id + ': ' + f.h.status);
				if (sent[id]) { sent[id](f.h.status); delete sent[id]; }
			} else if (f.tid === bindTid) {
				log('session bound: ' + f.method);
				readyResolve(true);
			} else if (/^\d\d\d$/.test(f.method) && f.method !== '200') {
				ft.errors.push('response ' + f.method);
			}
		}

		function useChannel(ch) {
			ft.channel = ch;
			ch.binaryType = 'arraybuffer';
			ch.onmessage = onMessage;
			const bind = () => {
				/* the device's path for this channel, from its SDP as sent (the
				 * browser's remoteDescription drops a=dcsa) */
				const m = /a=dcsa:\d+ path:(\S+)/.exec(remoteSdp);
				if (!m) {
					ft.errors.push('the answer names no MSRP path');
					return;
				}
				ft.gw = m[1];
				/* RFC 4975 section 5.4: a bodiless SEND binds the session */
				bindTid = ident();
				ch.send(frame(bindTid, 'SEND', `Message-ID: ${ident()}\r\nByte-Range: 1-0/0\r\n`, null, '$'));
				log('data channel open; MSRP toward ' + ft.gw);
			};
			if (ch.readyState === 'open') bind(); else ch.onopen = bind;
			ch.onclose = () => log('data channel closed');
		}

		function onPc(pc) {
			if (opts.open)
				useChannel(pc.createDataChannel('msrp', { protocol: 'msrp' }));
			else
				pc.addEventListener('datachannel', (e) => {
					if (e.channel.protocol === 'msrp') useChannel(e.channel);
				});
		}
		let remoteSdp = '';
		session.on('sdp', (e) => { if (e.originator === 'remote') remoteSdp = e.sdp; });
		if (session.connection) onPc(session.connection);
		else session.on('peerconnection', (e) => onPc(e.peerconnection));

		ft.send = async function (bytes, type) {
			await ft.ready;
			const id = ident();
			const done = new Promise((r) => { sent[id] = r; });
			const size = bytes.length;
			for (let off = 0; off < size; off += CHUNK) {
				const n = Math.min(CHUNK, size - off);
				while (ft.channel.bufferedAmount > HIGH_WATER)
					await new Promise((r) => setTimeout(r, 5));
				ft.channel.send(frame(ident(), 'SEND', `Message-ID: ${id}\r\nByte-Range: ${off + 1}-${off + n}/${size}\r\n` +
					`Success-Report: yes\r\nContent-Type: ${type || 'application/octet-stream'}\r\n`,
					bytes.subarray(off, off + n), off + n === size ? '$' : '+'));
			}
			log('file sent: ' + size + ' bytes (Message-ID ' + id + ')');
			return done;
		};
		return ft;
	}

	window.NwitFileTransfer = { attach };
})();
