/*
 * Sample app, chat box: pager-mode messages (SIP MESSAGE) through the device. Needs a
 * token with the "messaging" scope; the device's discovery document lists "messaging"
 * when it carries them. Sent with JsSIP's ua.sendMessage(); received through its
 * newMessage event (JsSIP answers 200). window.nwitApp.sendMessage() and
 * window.nwitApp.messages are what the end-to-end tests drive and read.
 */
'use strict';

(function () {
	const app = window.nwitApp;
	const list = document.getElementById('messages');
	app.messages = [];	/* {direction: 'in'|'out', peer, text, status} */

	function show(m) {
		const li = document.createElement('li');
		li.textContent = (m.direction === 'in' ? m.peer + ': ' : 'to ' + m.peer + ': ') + m.text +
			(m.status ? ' [' + m.status + ']' : '');
		list.appendChild(li);
		m.li = li;
	}

	/* Send text to target; resolves with the delivery report's status code (0: none). */
	app.sendMessage = function (target, text) {
		return new Promise((resolve) => {
			const m = { direction: 'out', peer: target, text, status: '' };
			app.messages.push(m);
			show(m);
			const done = (status, why) => {
				m.status = status + (why ? ' ' + why : '');
				m.li.textContent += ' [' + m.status + ']';
				resolve(status);
			};
			app.ua.sendMessage(target, text, {
				contentType: 'text/plain;charset=utf-8',
				eventHandlers: {
					succeeded: (e) => done(e.response ? e.response.status_code : 200),
					failed: (e) => done(e.response ? e.response.status_code : 0, e.cause),
				},
			});
		});
	};

	window.addEventListener('nwit-ua', (ev) => {
		ev.detail.on('newMessage', (e) => {
			if (e.originator !== 'remote')
				return;
			const m = { direction: 'in', peer: e.request.from.uri.toString(),
				text: e.request.body || '', type: e.request.getHeader('Content-Type') };
			app.messages.push(m);
			show(m);
		});
	});
	document.getElementById('send').onclick = () => {
		const text = document.getElementById('text');
		if (text.value)
			app.sendMessage(document.getElementById('target').value, text.value);
		text.value = '';
	};
})();
