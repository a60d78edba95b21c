// A tiny WebAudio synthesiser for the music page: one triangle oscillator with an envelope per note.
// Written for voxgate (GPL-3.0-or-later); no samples, no network.
"use strict";

class Synth {
  constructor() {
    this.ctx = null;
    this.voices = [];
    this.endTimer = null;
  }

  context() {
    if (!this.ctx) {
      this.ctx = new (window.AudioContext || window.webkitAudioContext)();
      this.master = this.ctx.createGain();
      this.master.gain.value = 0.5;
      this.master.connect(this.ctx.destination);
    }
    if (this.ctx.state === "suspended") this.ctx.resume();
    return this.ctx;
  }

  static frequency(pitch) {
    return 440 * Math.pow(2, (pitch - 69) / 12);
  }

  // Schedule one note: pitch (MIDI), start and length in seconds from now.
  note(pitch, start, length, level = 0.18, wave = "triangle") {
    const ctx = this.context();
    const t0 = ctx.currentTime + 0.05 + start;
    const t1 = t0 + Math.max(0.05, length);
    const osc = ctx.createOscillator();
    const env = ctx.createGain();
    osc.type = wave;
    osc.frequency.value = Synth.frequency(pitch);
    env.gain.setValueAtTime(0, t0);
    env.gain.linearRampToValueAtTime(level, t0 + 0.015);
    env.gain.setTargetAtTime(level * 0.6, t0 + 0.015, 0.15);
    env.gain.setTargetAtTime(0, t1 - 0.03, 0.02);
    osc.connect(env).connect(this.master);
    osc.start(t0);
    osc.stop(t1 + 0.1);
    this.voices.push(osc);
    osc.onended = () => { this.voices = this.voices.filter((v) => v !== osc); };
    return osc;
  }

  // Play voices of notes ({pitch, start, duration} in quarter notes) at a tempo; calls onEnd when done.
  play(voices, tempo, onEnd) {
    this.stop();
    const beat = 60 / tempo;
    const waves = ["triangle", "triangle", "sine", "sine"];
    let count = 0;
    let end = 0;
    voices.forEach((voice, i) => {
      for (const n of voice.notes) {
        this.note(n.pitch, n.start * beat, n.duration * beat * 0.95, i === 0 ? 0.2 : 0.12, waves[i % waves.length]);
        end = Math.max(end, (n.start + n.duration) * beat);
        count += 1;
      }
    });
    this.endTimer = setTimeout(() => onEnd && onEnd(), (end + 0.3) * 1000);
    return { notes: count, seconds: end };
  }

  stop() {
    clearTimeout(this.endTimer);
    for (const osc of this.voices) {
      try { osc.stop(); } catch (e) { /* already stopped */ }
    }
    this.voices = [];
  }
}

window.Synth = Synth;
