// Dictation page: microphone -> 16 kHz PCM16 frames over a WebSocket; partials, finals and the note back.
"use strict";

const RATE = 16000;
const FRAME = 1600; // 100 ms of 16 kHz audio per binary message
const $ = (id) => document.getElementById(id);

// Box-filter downsampler from the AudioContext's rate to 16 kHz, carrying leftovers between blocks.
class Downsampler {
  constructor(fromRate) { this.ratio = fromRate / RATE; this.rest = new Float32Array(0); this.pos = 0; }
  push(block) {
    const input = new Float32Array(this.rest.length + block.length);
    input.set(this.rest); input.set(block, this.rest.length);
    const out = [];
    let pos = this.pos;
    while (pos + this.ratio <= input.length) {
      const a = Math.floor(pos), b = Math.max(a + 1, Math.floor(pos + this.ratio));
      let sum = 0;
      for (let i = a; i < b; i++) sum += input[i];
      out.push(sum / (b - a));
      pos += this.ratio;
    }
    const keep = Math.floor(pos);
    this.rest = input.slice(keep);
    this.pos = pos - keep;
    return Float32Array.from(out);
  }
}

function toPcm16(samples) {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    out[i] = s < 0 ? s * 0x8000 : s * 0x7fff;
  }
  return out.buffer;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// Text with <mark class=CATEGORY> around each entity (offsets from the server, non-overlapping first wins).
function highlight(text, entities) {
  const spans = [...(entities || [])].sort((a, b) => a.begin_offset - b.begin_offset);
  let html = "", at = 0;
  for (const e of spans) {
    if (e.begin_offset < at || e.end_offset > text.length) continue;
    html += escapeHtml(text.slice(at, e.begin_offset));
    const title = [e.type, e.normalized, ...(e.icd10cm_concepts || []).map((c) => c.code)].filter(Boolean).join(" · ");
    html += `<mark class="${e.category}" title="${escapeHtml(title)}">${escapeHtml(text.slice(e.begin_offset, e.end_offset))}</mark>`;
    at = e.end_offset;
  }
  return html + escapeHtml(text.slice(at));
}

const state = window.dictation = { finals: [], partials: 0, note: null, sessionId: null, errors: [] };
let ws = null, audio = null, queue = [], pending = new Float32Array(0), recording = false, stopping = false;

function status(text, recordingNow) {
  $("status").textContent = text;
  $("status").classList.toggle("recording", !!recordingNow);
}

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const token = $("token").value.trim();
  return `${scheme}//${location.host}/v1/medical/dictation` + (token ? `?token=${encodeURIComponent(token)}` : "");
}

function renderFinals() {
  const text = state.finals.map((f) => f.text).join(" ").replace(/ ?\n ?/g, "\n");
  $("finals").innerHTML = state.finals.map((f) => highlight(f.text, f.entities)).join(" ");
  return text;
}

function onMessage(event) {
  const msg = JSON.parse(event.data);
  if (msg.type === "ready") {
    state.sessionId = msg.session_id;
    status(msg.resumed ? "Resumed" : `Listening (${msg.model})`, true);
    flush();
  } else if (msg.type === "partial") {
    state.partials += 1;
    const rest = msg.text.slice(msg.stable.length);
    $("partial").innerHTML = `<span class="stable">${escapeHtml(msg.stable)}</span>${escapeHtml(rest)}`;
  } else if (msg.type === "final") {
    if (!state.finals.some((f) => f.index === msg.index)) state.finals.push(msg);
    state.finals.sort((a, b) => a.index - b.index);
    $("partial").textContent = "";
    renderFinals();
  } else if (msg.type === "done") {
    state.note = msg;
    $("note").innerHTML = highlight(msg.text, msg.entities);
    $("copy").disabled = $("download").disabled = $("make-note").disabled = !msg.text;
    status(`Done: ${msg.finals.length} sentences, ${msg.duration.toFixed(1)} s of audio`);
    stopping = false;
  } else if (msg.type === "error") {
    state.errors.push(msg);
    status(`Error: ${msg.message}`);
  }
}

function connect(resume) {
  ws = new WebSocket(socketUrl());
  ws.binaryType = "arraybuffer";
  ws.onopen = () => {
    if (resume && state.sessionId) {
      const last = state.finals.length ? state.finals[state.finals.length - 1].index : -1;
      ws.send(JSON.stringify({ type: "resume", session_id: state.sessionId, last_final: last }));
    } else {
      const vocabulary = $("vocabulary").value.split(",").map((t) => t.trim()).filter(Boolean);
      ws.send(JSON.stringify({
        type: "start", sample_rate: RATE, encoding: "pcm16", language: "en",
        model: $("model").value, specialty: $("specialty").value || null, vocabulary,
      }));
    }
  };
  ws.onmessage = onMessage;
  ws.onclose = () => {
    if (recording && !stopping) { // dropped: resume the same session, audio waits in the queue
      status("Reconnecting…", true);
      setTimeout(() => connect(true), 500);
    } else if (!state.note && stopping) {
      status("Connection closed before the note arrived");
    }
  };
}

function flush() {
  if (!ws || ws.readyState !== WebSocket.OPEN || !state.sessionId) return;
  while (queue.length) ws.send(queue.shift());
}

function onSamples(block) {
  const fresh = audio.downsampler.push(block);
  const all = new Float32Array(pending.length + fresh.length);
  all.set(pending); all.set(fresh, pending.length);
  let at = 0;
  for (; at + FRAME <= all.length; at += FRAME) queue.push(toPcm16(all.subarray(at, at + FRAME)));
  pending = all.slice(at);
  if (queue.length > 300) queue.splice(0, queue.length - 300); // keep at most 30 s while offline
  flush();
}

async function start() {
  Object.assign(state, { finals: [], partials: 0, note: null, sessionId: null, errors: [] });
  $("finals").textContent = $("partial").textContent = $("note").textContent = "";
  $("copy").disabled = $("download").disabled = $("make-note").disabled = true;
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  const context = new AudioContext();
  await context.audioWorklet.addModule("/dictate/static/pcm-worklet.js");
  const source = context.createMediaStreamSource(stream);
  const tap = new AudioWorkletNode(context, "pcm-tap");
  const mute = context.createGain();
  mute.gain.value = 0;
  tap.port.onmessage = (e) => recording && onSamples(e.data);
  source.connect(tap).connect(mute).connect(context.destination);
  audio = { stream, context, downsampler: new Downsampler(context.sampleRate) };
  queue = []; pending = new Float32Array(0); recording = true; stopping = false;
  $("start").disabled = true; $("stop").disabled = false;
  status("Connecting…", true);
  connect(false);
}

function stop() {
  recording = false; stopping = true;
  $("start").disabled = false; $("stop").disabled = true;
  if (pending.length) queue.push(toPcm16(pending));
  pending = new Float32Array(0);
  flush();
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "stop" }));
  status("Finishing…");
  if (audio) { audio.stream.getTracks().forEach((t) => t.stop()); audio.context.close(); audio = null; }
}

async function copyNote() {
  const text = state.note ? state.note.text : "";
  try { await navigator.clipboard.writeText(text); }
  catch { const area = document.createElement("textarea"); area.value = text; document.body.append(area); area.select(); document.execCommand("copy"); area.remove(); }
  status("Copied to the clipboard");
}

function downloadNote() {
  const blob = new Blob([state.note ? state.note.text + "\n" : ""], { type: "text/plain" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `dictation-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.txt`;
  link.click();
  URL.revokeObjectURL(link.href);
}

// The note page reads the dictation from this tab's sessionStorage and makes the note at once (#make).
function makeNote() {
  if (!state.note || !state.note.text) return;
  sessionStorage.setItem("voxgate-note-transcript", state.note.text);
  sessionStorage.setItem("voxgate-note-source", "dictation");
  const token = $("token").value.trim();
  if (token) sessionStorage.setItem("voxgate-note-key", token);
  location.href = "/notes#make";
}

$("start").onclick = () => start().catch((e) => { status(`Microphone error: ${e.message}`); recording = false; $("start").disabled = false; $("stop").disabled = true; });
$("stop").onclick = stop;
$("copy").onclick = copyNote;
$("download").onclick = downloadNote;
$("make-note").onclick = makeNote;
