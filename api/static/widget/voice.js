/* voxgate voice client for WS /v1/bots/BOT/voice, shared by the chat widget (data-voice="true") and /talk/BOT.
 * No build step. window.VoxgateVoice(options) -> {start(), stop(), talk(on), sendText(text), close()}
 * options: gateway, bot, key, sender, greeting (bool), handsFree (bool), onEvent(event), onStatus(text, kind).
 * The microphone is captured at 16 kHz (echo cancellation on) and sent as 16-bit PCM frames; in push-to-talk mode
 * only while talk(true), then a short silence so the server ends the turn at once. Each reply sentence arrives as
 * an `audio` event plus one binary frame (a whole mp3): decoded and queued on WebAudio; `barge_in` stops it.
 */
(function () {
  "use strict";
  if (window.VoxgateVoice) return;
  var RATE = 16000;

  window.VoxgateVoice = function (options) {
    var o = options || {};
    var ws = null, ctx = null, stream = null, source = null, node = null, ping = null;
    var talking = !!o.handsFree, pending = null, playEnd = 0, playing = {}, opened = false;
    var self = { played: 0, state: "idle" };

    function status(text, kind) { if (o.onStatus) o.onStatus(text, kind || "info"); }
    function emit(event) { if (o.onEvent) o.onEvent(event); }

    function url() {
      var base = new URL(o.gateway || location.origin, location.href);
      base.protocol = base.protocol === "https:" ? "wss:" : "ws:";
      base.pathname = "/v1/bots/" + encodeURIComponent(o.bot) + "/voice";
      if (o.key) base.search = "?token=" + encodeURIComponent(o.key);
      return base.href;
    }

    function micError(err) {
      var name = err && err.name;
      if (name === "NotAllowedError" || name === "SecurityError")
        return "Microphone access was denied. Allow the microphone for this site in your browser's settings to talk, or type instead.";
      if (name === "NotFoundError" || name === "OverconstrainedError")
        return "No microphone was found. Connect one to talk, or type instead.";
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
        return "This page cannot use the microphone (it needs https or localhost). You can type instead.";
      return "The microphone could not be started (" + (err && err.message || name || "unknown error") + ").";
    }

    function frame(samples) {
      var out = new Int16Array(samples.length);
      for (var i = 0; i < samples.length; i++) {
        var s = Math.max(-1, Math.min(1, samples[i]));
        out[i] = s < 0 ? s * 32768 : s * 32767;
      }
      return out.buffer;
    }

    function onMessage(message) {
      if (typeof message.data !== "string") {
        if (pending) play(pending, message.data);
        pending = null;
        return;
      }
      var event = JSON.parse(message.data);
      if (event.type === "audio") pending = event;
      else if (event.type === "barge_in") stopPlaying(event.turn);
      else if (event.type === "ready") { self.state = "ready"; status(talking ? "Listening\u2026" : "Ready: hold the mic button to talk.", "ready"); }
      else if (event.type === "error") status(event.message, "error");
      emit(event);
    }

    function play(event, data) {
      ctx.decodeAudioData(data.slice(0)).then(function (buffer) {
        var src = ctx.createBufferSource();
        src.buffer = buffer;
        src.connect(ctx.destination);
        var at = Math.max(ctx.currentTime + 0.02, playEnd);
        src.start(at);
        playEnd = at + buffer.duration;
        (playing[event.turn] = playing[event.turn] || []).push(src);
        self.played += 1;
        emit({ type: "played", turn: event.turn, index: event.index, text: event.text, duration: buffer.duration });
        src.onended = function () {
          var list = playing[event.turn] || [];
          if (list.indexOf(src) >= 0) list.splice(list.indexOf(src), 1);
        };
      }).catch(function () { status("A reply could not be played.", "error"); });
    }

    function stopPlaying(turn) {
      Object.keys(playing).forEach(function (t) {
        if (turn !== undefined && Number(t) !== turn) return;
        playing[t].forEach(function (n) { try { n.stop(); } catch (e) { /* already ended */ } });
        playing[t] = [];
      });
      playEnd = ctx ? ctx.currentTime : 0;
    }

    self.start = function () {
      if (opened) return Promise.resolve(self);
      opened = true;
      status("Starting the microphone\u2026", "info");
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        opened = false;
        status(micError(null), "error");
        return Promise.reject(new Error("no microphone API"));
      }
      return navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, channelCount: 1 } })
        .then(function (media) {
          stream = media;
          ctx = new (window.AudioContext || window.webkitAudioContext)({ sampleRate: RATE });
          source = ctx.createMediaStreamSource(stream);
          node = ctx.createScriptProcessor(1024, 1, 1);
          node.onaudioprocess = function (e) {
            if (talking && ws && ws.readyState === 1 && self.state === "ready") ws.send(frame(e.inputBuffer.getChannelData(0)));
          };
          source.connect(node);
          node.connect(ctx.destination);  // keeps the processor running; it writes silence
          ws = new WebSocket(url());
          ws.binaryType = "arraybuffer";
          ws.onopen = function () {
            ws.send(JSON.stringify({ type: "start", sample_rate: ctx.sampleRate, sender: o.sender,
              greeting: !!o.greeting, audio_format: "mp3" }));
          };
          ws.onmessage = onMessage;
          ws.onclose = function () { self.state = "closed"; opened = false; emit({ type: "closed" }); cleanup(); };
          ws.onerror = function () { status("The voice connection failed.", "error"); };
          ping = setInterval(function () { if (ws && ws.readyState === 1) ws.send('{"type":"ping"}'); }, 20000);
          return self;
        }, function (err) {
          opened = false;
          status(micError(err), "error");
          throw err;
        });
    };

    self.talk = function (on) {
      if (talking && !on && ws && ws.readyState === 1 && self.state === "ready") ws.send(new ArrayBuffer(RATE * 2));  // 1 s of silence: the turn ends
      talking = !!on;
      if (on) stopPlaying();
      status(on ? "Listening\u2026" : (o.handsFree ? "Paused." : "Hold the mic button to talk."), "info");
    };

    self.sendText = function (text) {
      if (!ws || ws.readyState !== 1 || self.state !== "ready") return false;
      ws.send(JSON.stringify({ type: "text", text: text }));
      return true;
    };

    function cleanup() {
      if (ping) clearInterval(ping);
      ping = null;
      if (node) node.disconnect();
      if (source) source.disconnect();
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      if (ctx) ctx.close();
      node = source = stream = ctx = null;
    }

    self.stop = function () {
      if (ws && ws.readyState === 1) ws.send('{"type":"stop"}');
      talking = false;
    };

    self.close = function () {
      if (ws) ws.close();
      cleanup();
      opened = false;
    };

    return self;
  };
})();
