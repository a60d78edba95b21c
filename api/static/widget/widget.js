/* voxgate chat widget: <script src="https://HOST/widget.js" data-bot="clinic" async></script>
 * Adds a chat bubble that talks to the gateway's Rasa REST channel (/v1/bots/BOT/webhooks/rest/webhook).
 * Optional attributes: data-key (per-bot API key), data-title, data-open="true", data-gateway (base URL).
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
    ".vxg-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
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
  panel.appendChild(head); panel.appendChild(log); panel.appendChild(form);
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
        button.addEventListener("click", function () { row.remove(); post(b.payload, b.title); });
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
      result.body.forEach(function (m) {
        if (m.text || m.buttons) add({ from: "bot", text: m.text || "", buttons: m.buttons || [], live: true });
        if (m.image) add({ from: "bot", image: m.image });
      });
    }).catch(function (err) {
      add({ from: "bot", error: true, text: String(err && err.message || "the assistant is unavailable, try again") });
    }).then(function () {
      send.disabled = false;
      log.removeAttribute("aria-busy");
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
