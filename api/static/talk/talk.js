(function () {
  "use strict";
  var bot = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop());
  var key = new URLSearchParams(location.search).get("token");
  var button = document.getElementById("call"), status = document.getElementById("status"), log = document.getElementById("log");
  var voice = null;
  document.getElementById("title").textContent = "Talk to the " + bot.replace(/-/g, " ") + " assistant";

  function say(who, text) {
    var item = document.createElement("li");
    item.className = who;
    var label = document.createElement("span");
    label.className = "sr";
    label.textContent = who === "user" ? "You: " : "Assistant: ";
    item.appendChild(label);
    item.appendChild(document.createTextNode(text));
    log.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
  }
  function setStatus(text, kind) { status.textContent = text; status.className = kind === "error" ? "bad" : ""; }
  function onEvent(event) {
    if (event.type === "partial") setStatus("You: " + event.text + "\u2026");
    else if (event.type === "user") { say("user", event.text); setStatus("Listening\u2026"); }
    else if (event.type === "bot") event.messages.forEach(function (m) { if (m.text) say("bot", m.text); });
    else if (event.type === "audio" && event.turn === 0) say("bot", event.text);  // the greeting
    else if (event.type === "played") document.body.setAttribute("data-voice-played", String(voice ? voice.played : 0));
    else if (event.type === "closed") stopped();
  }
  function stopped() {
    voice = null;
    button.setAttribute("aria-pressed", "false");
    button.textContent = "Start talking";
  }
  button.addEventListener("click", function () {
    if (voice) { voice.stop(); setTimeout(function () { if (voice) voice.close(); }, 3000); stopped(); return; }
    var v = window.VoxgateVoice({ gateway: location.origin, bot: bot, key: key, greeting: true, handsFree: true,
      sender: "talk-" + Date.now() + "-" + Math.random().toString(16).slice(2), onEvent: onEvent, onStatus: setStatus });
    voice = v;
    button.setAttribute("aria-pressed", "true");
    button.textContent = "End";
    v.start().catch(function () { stopped(); });
  });
})();
