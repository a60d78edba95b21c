/* voxgate chat widget: <script src="https://HOST/widget.js" data-bot="clinic" async></script>
 * Adds a chat bubble that talks to the gateway's Rasa REST channel (/v1/bots/BOT/webhooks/rest/webhook).
 * Optional attributes: data-key (per-bot API key), data-title, data-open="true", data-gateway (base URL),
 * data-voice="true" (a mic button: hold to talk, or tick "Hands-free" and click once; replies are spoken; uses
 * /widget/voice.js and WS /v1/bots/BOT/voice).
 * Renders text, buttons and images; keeps the conversation across page loads (localStorage); keyboard and
 * screen-reader friendly (a labelled dialog, a polite live log, Escape closes, focus returns to the bubble).
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-bot][src*='widget.js']");
  if (!script || window.__voxgateWidget) return;
  window.__voxgateWidget = true;
  var bot = script.getAttribute("data-bot") || "clinic";
  var gateway = script.getAttribute("data-gateway") || new URL(script.src, location.href).origin;
  var key = script.getAttribute("data-key");
  var title = script.getAttribute("data-title") || "Chat with us";
  var voiceOn = script.getAttribute("data-voice") === "true";
  var voice = null;
  var storeKey = "voxgate-chat:" + gateway + ":" + bot;
  var state = load();

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(storeKey) || "null");
      if (saved && saved.sender) return saved;
    } catch (e) { /* storage blocked: start fresh */ }
    var id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    return { sender: "web-" + id, log: [], open: false };
  }
  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify({ sender: state.sender, log: state.log.slice(-100), open: state.open })); }
    catch (e) { /* ignore */ }
  }

  var css = [
    ".vxg-bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;",
    "background:#0b5cad;color:#fff;font:600 24px/56px system-ui,sans-serif;cursor:pointer;z-index:2147483000;",
    "box-shadow:0 2px 8px rgba(0,0,0,.3)}",
    ".vxg-bubble:focus-visible,.vxg-panel button:focus-visible,.vxg-panel input:focus-visible{outline:3px solid #f5a623;outline-offset:2px}",
    ".vxg-panel{position:fixed;right:20px;bottom:88px;width:340px;max-width:calc(100vw - 40px);height:460px;",
    "max-height:calc(100vh - 120px);display:flex;flex-direction:column;background:#fff;color:#111;border-radius:10px;",
    "box-shadow:0 4px 20px rgba(0,0,0,.3);font:14px/1.4 system-ui,sans-serif;z-index:2147483000}",
    ".vxg-panel[hidden]{display:none}",
    ".vxg-head{display:flex;align-items:center;justify-content:space-between;padding:10px 12px;background:#0b5cad;color:#fff;border-radius:10px 10px 0 0}",
    ".vxg-head h2{margin:0;font-size:15px}.vxg-close{background:none;border:0;color:#fff;font-size:20px;cursor:pointer}",
    ".vxg-log{flex:1;overflow-y:auto;padding:10px;margin:0;list-style:none}",
    ".vxg-msg{margin:6px 0;max-width:85%;padding:7px 10px;border-radius:8px;white-space:pre-wrap;word-wrap:break-word}",
    ".vxg-user{margin-left:auto;background:#0b5cad;color:#fff}.vxg-bot{background:#eef1f5}",
    ".vxg-error{background:#fde8e8;color:#8a1c1c}.vxg-msg img{max-width:100%;display:block;margin-top:4px}",
    ".vxg-buttons{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0}",
    ".vxg-buttons button{border:1px solid #0b5cad;background:#fff;color:#0b5cad;border-radius:14px;padding:4px 10px;cursor:pointer}",
    ".vxg-form{display:flex;border-top:1px solid #ddd}.vxg-form input{flex:1;border:0;padding:10px;font:inherit}",
    ".vxg-form button{border:0;background:#0b5cad;color:#fff;padding:0 14px;cursor:pointer;border-radius:0 0 10px 0}",
    ".vxg-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    ".vxg-mic{border:0;background:#eef1f5;color:#0b5cad;padding:0 12px;cursor:pointer;font-size:18px}",
    ".vxg-mic[aria-pressed=true]{background:#c62828;color:#fff}",
    ".vxg-voicebar{display:flex;align-items:center;gap:8px;padding:4px 10px;border-top:1px solid #ddd;font-size:12px}",
    ".vxg-status{flex:1;color:#444}.vxg-status.vxg-bad{color:#8a1c1c;font-weight:600}"
  ].join("");
  var style = document.createElement("style");
  style.textContent = css;
  document.head.appendChild(style);

  var bubble = el("button", { "class": "vxg-bubble", type: "button", "aria-label": "Open chat: " + title,
    "aria-expanded": "false", "aria-controls": "vxg-panel" }, "\u{1F4AC}");
  var panel = el("section", { "class": "vxg-panel", id: "vxg-panel", role: "dialog", "aria-label": title, hidden: "" });
  var head = el("div", { "class": "vxg-head" });
  head.appendChild(el("h2", {}, title));
  var close = el("button", { "class": "vxg-close", type: "button", "aria-label": "Close chat" }, "\u00D7");
  head.appendChild(close);
  var log = el("ol", { "class": "vxg-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "Conversation" });
  var form = el("form", { "class": "vxg-form" });
  var label = el("label", { "class": "vxg-sr", "for": "vxg-input" }, "Your message");
  var input = el("input", { id: "vxg-input", type: "text", autocomplete: "off", maxlength: "2000",
    placeholder: "Type a message\u2026" });
  var send = el("button", { type: "submit" }, "Send");
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  panel.appendChild(head); panel.appendChild(log);
  var mic = null, handsFree = null, status = null;
  if (voiceOn) {
    mic = el("button", { "class": "vxg-mic", type: "button", "aria-pressed": "false",
      "aria-label": "Hold to talk (or press and hold Space)", "aria-describedby": "vxg-status" }, "\u{1F3A4}");
    form.insertBefore(mic, input);
    var bar = el("div", { "class": "vxg-voicebar" });
    var hfLabel = el("label", {});
    handsFree = el("input", { type: "checkbox", id: "vxg-handsfree" });
    hfLabel.appendChild(handsFree);
    hfLabel.appendChild(document.createTextNode(" Hands-free"));
    status = el("span", { "class": "vxg-status", id: "vxg-status", role: "status", "aria-live": "polite" }, "");
    bar.appendChild(hfLabel); bar.appendChild(status);
    panel.appendChild(bar);
  }
  panel.appendChild(form);
  document.body.appendChild(panel);
  document.body.appendChild(bubble);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(entry) {
    var item = el("li", { "class": "vxg-msg vxg-" + entry.from + (entry.error ? " vxg-error" : "") });
    if (entry.from === "user") item.appendChild(el("span", { "class": "vxg-sr" }, "You: "));
    else item.appendChild(el("span", { "class": "vxg-sr" }, "Assistant: "));
    if (entry.text) item.appendChild(document.createTextNode(entry.text));
    if (entry.image) item.appendChild(el("img", { src: new URL(entry.image, gateway).href, alt: entry.alt || "image from the assistant" }));
    log.appendChild(item);
    if (entry.buttons && entry.buttons.length && entry.live) {
      var row = el("li", { "class": "vxg-buttons", role: "group", "aria-label": "Suggested replies" });
      entry.buttons.forEach(function (b) {
        var button = el("button", { type: "button" }, b.title);
        button.addEventListener("click", function () {
          row.remove();
          if (voice && voice.sendText(b.payload)) return;  // in a voice conversation the reply is spoken too
          post(b.payload, b.title);
        });
        row.appendChild(button);
      });
      log.appendChild(row);
    }
    log.scrollTop = log.scrollHeight;
  }

  function add(entry) {
    state.log.forEach(function (e) { e.live = false; });
    state.log.push(entry);
    save();
    render(entry);
  }

  function post(message, shown) {
    add({ from: "user", text: shown || message });
    var headers = { "Content-Type": "application/json" };
    if (key) headers.Authorization = "Bearer " + key;
    send.disabled = true;
    log.setAttribute("aria-busy", "true");
    fetch(gateway + "/v1/bots/" + encodeURIComponent(bot) + "/webhooks/rest/webhook", {
      method: "POST", headers: headers, body: JSON.stringify({ sender: state.sender, message: message })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) throw new Error((result.body && result.body.error && result.body.error.message) || "request failed");
      addReplies(result.body);
    }).catch(function (err) {
      add({ from: "bot", error: true, text: String(err && err.message || "the assistant is unavailable, try again") });
    }).then(function () {
      send.disabled = false;
      log.removeAttribute("aria-busy");
    });
  }

  function addReplies(messages) {
    messages.forEach(function (m) {
      if (m.text || m.buttons) add({ from: "bot", text: m.text || "", buttons: m.buttons || [], live: true });
      if (m.image) add({ from: "bot", image: m.image });
    });
  }

  // -- voice (data-voice="true") ------------------------------------------------------------------------------
  function setStatus(text, kind) {
    if (!status) return;
    status.textContent = text;
    status.className = "vxg-status" + (kind === "error" ? " vxg-bad" : "");
  }

  function onVoiceEvent(event) {
    if (event.type === "partial") setStatus("You: " + event.text + "\u2026");
    else if (event.type === "user") { add({ from: "user", text: event.text }); setStatus(handsFree.checked ? "Listening\u2026" : ""); }
    else if (event.type === "bot") addReplies(event.messages);
    else if (event.type === "played") panel.setAttribute("data-voice-played", String(voice.played));
    else if (event.type === "closed") { voice = null; mic.setAttribute("aria-pressed", "false"); }
  }

  function loadVoice() {
    if (window.VoxgateVoice) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = gateway + "/widget/voice.js";
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error("the voice script could not be loaded")); };
      document.head.appendChild(tag);
    });
  }

  function startVoice() {
    if (voice) return Promise.resolve(voice);
    return loadVoice().then(function () {
      var v = window.VoxgateVoice({ gateway: gateway, bot: bot, key: key, sender: state.sender, greeting: false,
        handsFree: handsFree.checked, onEvent: onVoiceEvent, onStatus: setStatus });
      return v.start().then(function () { voice = v; return v; });
    }).catch(function (err) {
      mic.setAttribute("aria-pressed", "false");
      if (!status.textContent) setStatus(String(err && err.message || err), "error");
      throw err;
    });
  }

  function talk(on) {
    mic.setAttribute("aria-pressed", String(on));
    if (on) startVoice().then(function (v) { v.talk(true); }, function () { /* shown in the status */ });
    else if (voice) voice.talk(false);
  }

  if (voiceOn) {
    mic.addEventListener("pointerdown", function (e) { if (!handsFree.checked) { e.preventDefault(); talk(true); } });
    mic.addEventListener("pointerup", function () { if (!handsFree.checked) talk(false); });
    mic.addEventListener("pointerleave", function () { if (!handsFree.checked && mic.getAttribute("aria-pressed") === "true") talk(false); });
    mic.addEventListener("click", function () { if (handsFree.checked) talk(mic.getAttribute("aria-pressed") !== "true"); });
    mic.addEventListener("keydown", function (e) {
      if ((e.key === " " || e.key === "Enter") && !handsFree.checked) { e.preventDefault(); if (!e.repeat) talk(true); }
    });
    mic.addEventListener("keyup", function (e) {
      if ((e.key === " " || e.key === "Enter") && !handsFree.checked) { e.preventDefault(); talk(false); }
    });
    handsFree.addEventListener("change", function () {
      mic.setAttribute("aria-label", handsFree.checked ? "Start or stop talking" : "Hold to talk (or press and hold Space)");
      if (voice) voice.close();
      voice = null;
      mic.setAttribute("aria-pressed", "false");
      setStatus(handsFree.checked ? "Click the mic to start talking." : "Hold the mic button to talk.");
    });
  }

  function show(open) {
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    bubble.setAttribute("aria-label", (open ? "Close chat: " : "Open chat: ") + title);
  }

  function setOpen(open) {
    state.open = open;
    save();
    show(open);
    if (open) {
      input.focus();
      if (!state.log.length) post("/greet", "Hello");
    } else {
      if (voice) { voice.close(); voice = null; if (mic) mic.setAttribute("aria-pressed", "false"); }
      bubble.focus();
    }
  }

  bubble.addEventListener("click", function () { setOpen(panel.hidden); });
  close.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") setOpen(false); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    post(text);
  });

  state.log.forEach(render);
  if (state.open || script.getAttribute("data-open") === "true") {
    show(true);
    if (!state.log.length) post("/greet", "Hello");
  }
})();
