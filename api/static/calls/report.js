// Call analytics report: fetches /v1/calls/{job}/results and draws it with Chart.js (vendored, no CDN).
(function () {
  "use strict";
  const jobId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop());
  const params = new URLSearchParams(location.search);
  const charts = {};
  const COLORS = { agent: "#3b73c4", customer: "#d9822b", silence: "#9aa5b1" };
  const SENT = { POSITIVE: "#2e9d5b", NEGATIVE: "#d2413a", NEUTRAL: "#9aa5b1", MIXED: "#d99a1e" };
  let data = null;

  function el(id) { return document.getElementById(id); }
  function text(tag, content, cls) {
    const e = document.createElement(tag);
    e.textContent = content;
    if (cls) e.className = cls;
    return e;
  }
  function chart(id, config) {
    if (charts[id]) charts[id].destroy();
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: true }, config.options || {});
    charts[id] = new Chart(el(id), config);
    return charts[id];
  }
  function headers() {
    const key = params.get("key") || sessionStorage.getItem("voxgate-key");
    return key ? { Authorization: "Bearer " + key } : {};
  }

  // turn text with [TYPE] redaction tags shown as badges
  function transcriptLine(turn) {
    const li = document.createElement("li");
    li.className = turn.speaker + " s-" + turn.sentiment.label;
    li.dataset.sentiment = turn.sentiment.label;
    li.appendChild(text("div", `${turn.speaker} · ${turn.start.toFixed(1)}–${turn.end.toFixed(1)} s · ${turn.sentiment.label} (${turn.sentiment.score.toFixed(2)}) · ${turn.loudness_dbfs} dBFS`, "meta"));
    const body = document.createElement("div");
    turn.text.split(/(\[[A-Z_]+\])/).forEach((part) => {
      if (/^\[[A-Z_]+\]$/.test(part)) body.appendChild(text("span", part.slice(1, -1), "pii"));
      else if (part) body.appendChild(document.createTextNode(part));
    });
    li.appendChild(body);
    return li;
  }

  function renderBatch(summary) {
    el("batch").hidden = false;
    el("k-calls").textContent = summary.calls;
    el("k-failed").textContent = summary.failed.length;
    el("k-aht").textContent = summary.average_handle_time == null ? "–" : summary.average_handle_time;
    const labels = ["POSITIVE", "NEUTRAL", "NEGATIVE", "MIXED"];
    chart("chart-distribution", {
      type: "doughnut",
      data: { labels, datasets: [{ data: labels.map((l) => summary.customer_sentiment[l] || 0), backgroundColor: labels.map((l) => SENT[l]) }] },
    });
    chart("chart-categories", {
      type: "bar",
      data: { labels: summary.top_categories.map((c) => c.name), datasets: [{ label: "calls", data: summary.top_categories.map((c) => c.calls), backgroundColor: "#3b73c4" }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } } },
    });
    el("worst").replaceChildren(...summary.worst_customer_trend.map((t) => text("li", `${t.call}: trend ${t.trend.toFixed(2)}, overall ${t.sentiment.toFixed(2)}`)));
    el("failed").replaceChildren(...summary.failed.map((f) => text("li", `${f.call}: ${f.error}`, "error")));
  }

  function renderCall(call) {
    el("call").hidden = false;
    const redacted = call.redacted_audio && call.redacted_audio.url;
    el("redacted-audio").hidden = !redacted;
    if (redacted) {
      el("redacted-audio").querySelector("audio").src = redacted;
      el("redacted-audio").querySelector("a").href = redacted;
    }
    const parties = ["agent", "customer"];
    if (call.status !== "ok") {
      el("call-facts").replaceChildren(text("span", `${call.call} failed: ${call.error}`, "error"));
      ["transcript", "issues", "outcomes", "categories"].forEach((id) => el(id).replaceChildren());
      Object.keys(charts).filter((k) => k === "chart-trend" || k === "chart-talk").forEach((k) => { charts[k].destroy(); delete charts[k]; });
      return;
    }
    chart("chart-trend", {
      type: "line",
      data: {
        labels: ["Q1", "Q2", "Q3", "Q4"],
        datasets: parties.map((p) => ({ label: p, data: call.parties[p].sentiment_by_quarter, borderColor: COLORS[p], backgroundColor: COLORS[p], spanGaps: true, tension: 0.2 })),
      },
      options: { scales: { y: { min: -1, max: 1 } } },
    });
    chart("chart-talk", {
      type: "bar",
      data: {
        labels: ["agent", "customer", "non-talk"],
        datasets: [{ label: "seconds", data: [call.parties.agent.talk_time, call.parties.customer.talk_time, call.non_talk_time], backgroundColor: [COLORS.agent, COLORS.customer, COLORS.silence] }],
      },
      options: { plugins: { legend: { display: false } } },
    });
    const p = call.parties;
    el("call-facts").textContent = `${call.duration.toFixed(1)} s · ${call.diarization} · wpm agent ${p.agent.words_per_minute}, customer ${p.customer.words_per_minute} · ` +
      `${call.silences.length} silences · ${call.interruptions.length} interruptions · PII ${JSON.stringify(call.pii_counts)}`;
    el("categories").replaceChildren(...call.categories.map((c) => text("span", c.name)));
    el("issues").replaceChildren(...call.issues.map((s) => text("li", s.text)));
    el("outcomes").replaceChildren(...call.outcomes.map((s) => text("li", s.text)));
    el("transcript").replaceChildren(...call.turns.map(transcriptLine));
  }

  async function load() {
    el("job").textContent = jobId;
    const res = await fetch(`/v1/calls/${encodeURIComponent(jobId)}/results`, { headers: headers() });
    if (res.status === 401) {
      const key = prompt("API key");
      if (key) { sessionStorage.setItem("voxgate-key", key); return load(); }
    }
    const body = await res.json();
    if (!res.ok) {
      el("status").textContent = (body.error && body.error.message) || res.statusText;
      el("status").className = "error";
      document.body.dataset.ready = "error";
      return;
    }
    data = body;
    el("status").textContent = `${body.status} · ${Math.round(body.progress)}%`;
    if (body.summary) renderBatch(body.summary);
    const select = el("call-select");
    select.replaceChildren(...body.calls.map((c, i) => { const o = text("option", c.call); o.value = i; return o; }));
    const wanted = params.get("call");
    const idx = Math.max(0, body.calls.findIndex((c) => c.call === wanted));
    if (body.calls.length) { select.value = idx; renderCall(body.calls[idx]); }
    select.onchange = () => renderCall(data.calls[Number(select.value)]);
    window.voxgateCharts = charts;
    document.body.dataset.ready = "1";
    if (body.status === "queued" || body.status === "running") setTimeout(load, 3000);
  }
  load().catch((e) => { el("status").textContent = String(e); document.body.dataset.ready = "error"; });
})();
