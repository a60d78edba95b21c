// The music page: a melody from the on-screen keyboard or a MIDI file, sent to /v1/music/*, the result drawn,
// played with the page's own synth (synth.js) and offered as a MIDI download.
"use strict";

const $ = (id) => document.getElementById(id);
const NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
const LOW = 60; // C4 .. B5 on the keyboard
const KEYS = "awsedftgyhujkolp;"; // computer keys for C4 upwards
const COLORS = ["#2457c5", "#c53a24", "#2e8b57", "#8a5cc5"];

const state = (window.music = {
  melody: [], // {pitch, start, duration} in quarter notes; pitch null for a rest
  file: null,
  result: null,
  errors: [],
  playing: false,
  played: 0,
});
const synth = new window.Synth();
$("token").value = localStorage.getItem("voxgate.token") || "";

function noteName(pitch) {
  return NAMES[pitch % 12] + (Math.floor(pitch / 12) - 1);
}

function status(text, error = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
}

function buildKeyboard() {
  const board = $("keyboard");
  let white = 0;
  for (let pitch = LOW; pitch < LOW + 24; pitch++) {
    const black = [1, 3, 6, 8, 10].includes(pitch % 12);
    const key = document.createElement("button");
    key.type = "button";
    key.className = "key " + (black ? "black" : "white");
    key.dataset.pitch = String(pitch);
    key.title = noteName(pitch);
    if (black) {
      key.style.left = white * 38 - 12 + "px";
    } else {
      key.style.left = white * 38 + "px";
      key.textContent = pitch % 12 === 0 ? noteName(pitch) : "";
      white += 1;
    }
    key.addEventListener("mousedown", () => press(pitch, key));
    board.appendChild(key);
  }
}

function melodyEnd() {
  return state.melody.reduce((end, n) => Math.max(end, n.start + n.duration), 0);
}

function press(pitch, key) {
  const duration = parseFloat($("length").value);
  state.melody.push({ pitch, start: melodyEnd(), duration });
  state.file = null;
  $("file").value = "";
  synth.note(pitch, 0, (duration * 60) / tempo());
  if (key) {
    key.classList.add("down");
    setTimeout(() => key.classList.remove("down"), 150);
  }
  showMelody();
}

function showMelody() {
  const notes = state.melody.filter((n) => n.pitch !== null);
  $("melody").textContent = state.file
    ? `MIDI file: ${state.file.name}`
    : notes.length
      ? state.melody.map((n) => (n.pitch === null ? "rest" : noteName(n.pitch)) + "/" + n.duration).join(" ")
      : "No notes yet: click the keys (or use the computer keys a w s e d f t g y h u j k).";
}

function tempo() {
  return Math.min(200, Math.max(40, parseFloat($("tempo").value) || 90));
}

function headers(json) {
  const h = { Accept: "application/json" };
  if (json) h["Content-Type"] = "application/json";
  const token = $("token").value.trim();
  localStorage.setItem("voxgate.token", token);
  if (token) h.Authorization = "Bearer " + token;
  return h;
}

function request() {
  const task = $("task").value;
  const options = { seed: parseInt($("seed").value, 10) || 0 };
  let path = "/v1/music/accompaniment";
  if (task.startsWith("accompany")) options.model = task.split("-")[1];
  if (task === "enhance") path = "/v1/music/enhance";
  if (task === "extend") {
    path = "/v1/music/extend";
    options.bars = parseInt($("bars").value, 10) || 4;
  }
  if (state.file) {
    const form = new FormData();
    form.append("file", state.file);
    for (const [k, v] of Object.entries(options)) form.append(k, String(v));
    return { path, init: { method: "POST", headers: headers(false), body: form } };
  }
  const notes = state.melody.filter((n) => n.pitch !== null);
  const body = JSON.stringify({ ...options, notes, tempo: tempo() });
  return { path, init: { method: "POST", headers: headers(true), body } };
}

async function generate() {
  if (!state.file && !state.melody.some((n) => n.pitch !== null)) {
    status("play or upload a melody first", true);
    return;
  }
  const { path, init } = request();
  $("generate").disabled = true;
  status("working…");
  const started = performance.now();
  try {
    const response = await fetch(path, init);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
    state.result = body;
    draw(body);
    showMetrics(body);
    $("play").disabled = $("download").disabled = false;
    status(`${body.model}: ${body.voices.length} voice(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    state.errors.push(String(err.message || err));
    status(String(err.message || err), true);
  } finally {
    $("generate").disabled = false;
  }
}

function draw(result) {
  const canvas = $("roll");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const notes = result.voices.flatMap((v, i) => v.notes.map((n) => ({ ...n, voice: i })));
  if (!notes.length) return;
  const end = Math.max(...notes.map((n) => n.start + n.duration));
  const lo = Math.min(...notes.map((n) => n.pitch)) - 1;
  const hi = Math.max(...notes.map((n) => n.pitch)) + 1;
  const x = (t) => (t / end) * (canvas.width - 4) + 2;
  const h = canvas.height / (hi - lo + 1);
  ctx.strokeStyle = "#e1e5eb";
  for (let beat = 0; beat <= end; beat += result.beats_per_bar) {
    ctx.beginPath();
    ctx.moveTo(x(beat), 0);
    ctx.lineTo(x(beat), canvas.height);
    ctx.stroke();
  }
  for (const n of notes) {
    ctx.fillStyle = COLORS[n.voice % COLORS.length];
    ctx.fillRect(x(n.start), canvas.height - (n.pitch - lo + 1) * h, Math.max(2, x(n.duration) - x(0) - 1), h - 1);
  }
}

function showMetrics(result) {
  const rows = [["model", result.model], ["voices", result.voices.map((v) => `${v.name} (${v.notes.length})`).join(", ")]];
  for (const [k, v] of Object.entries(result.metrics)) rows.push([k.replace(/_/g, " "), typeof v === "number" ? +v.toFixed(3) : v]);
  $("metrics").innerHTML = "";
  for (const [k, v] of rows) {
    const tr = $("metrics").insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = String(v);
  }
}

function play() {
  if (!state.result) return;
  const info = synth.play(state.result.voices, state.result.tempo, () => {
    state.playing = false;
    $("stop").disabled = true;
  });
  state.playing = true;
  state.played = info.notes;
  $("stop").disabled = false;
}

function download() {
  const bytes = Uint8Array.from(atob(state.result.midi_base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: "audio/midi" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `voxgate-${$("task").value}.mid`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

buildKeyboard();
$("rest").addEventListener("click", () => {
  state.melody.push({ pitch: null, start: melodyEnd(), duration: parseFloat($("length").value) });
  showMelody();
});
$("undo").addEventListener("click", () => { state.melody.pop(); showMelody(); });
$("clear").addEventListener("click", () => { state.melody = []; showMelody(); });
$("play-melody").addEventListener("click", () => {
  const notes = state.melody.filter((n) => n.pitch !== null);
  synth.play([{ notes }], tempo());
});
$("file").addEventListener("change", () => {
  state.file = $("file").files[0] || null;
  showMelody();
});
$("generate").addEventListener("click", generate);
$("play").addEventListener("click", play);
$("stop").addEventListener("click", () => { synth.stop(); state.playing = false; $("stop").disabled = true; });
$("download").addEventListener("click", download);
document.addEventListener("keydown", (event) => {
  if (event.target.tagName === "INPUT" || event.target.tagName === "SELECT" || event.repeat) return;
  const index = KEYS.indexOf(event.key);
  if (index >= 0) press(LOW + index, document.querySelector(`.key[data-pitch="${LOW + index}"]`));
});
showMelody();
