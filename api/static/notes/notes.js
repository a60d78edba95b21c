const $ = (id) => document.getElementById(id);
$("input").value = sessionStorage.getItem("voxgate-note-transcript") || "";
$("source").value = sessionStorage.getItem("voxgate-note-source") || "consultation";
$("key").value = sessionStorage.getItem("voxgate-note-key") || "";
function headers(json) {
  const h = json ? { "content-type": "application/json" } : {};
  if ($("key").value) h.authorization = "Bearer " + $("key").value;
  return h;
}
async function wait(url) {
  for (;;) {
    const job = await (await fetch(url, { headers: headers(false) })).json();
    $("status").textContent = `${job.status} ${Math.round(job.progress || 0)}% ${job.message || ""}`;
    if (job.status === "succeeded") return job.result;
    if (["failed", "cancelled"].includes(job.status)) throw new Error(job.error?.message || job.status);
    await new Promise((r) => setTimeout(r, 2000));
  }
}
function show(note) {
  const view = $("transcript-view"), out = $("note");
  view.replaceChildren(); out.replaceChildren();
  const turns = note.turns.map((t) => {
    const div = document.createElement("div");
    div.className = "turn " + t.speaker;
    div.innerHTML = `<small>${t.index} · ${t.speaker} · ${t.section}</small><br>`;
    div.append(t.text);
    view.append(div);
    return div;
  });
  for (const section of note.sections) {
    const h = document.createElement("h2");
    h.textContent = section.title.toUpperCase();
    out.append(h);
    for (const item of section.items) {
      const p = document.createElement("div");
      p.className = "item"; p.tabIndex = 0; p.textContent = item.text;
      p.title = "evidence: turns " + item.evidence.join(", ");
      const on = () => { item.evidence.forEach((i, k) => { turns[i].classList.add("evidence"); if (!k) turns[i].scrollIntoView({ block: "nearest" }); }); };
      const off = () => item.evidence.forEach((i) => turns[i].classList.remove("evidence"));
      p.addEventListener("mouseenter", on); p.addEventListener("focus", on);
      p.addEventListener("mouseleave", off); p.addEventListener("blur", off);
      out.append(p);
    }
  }
}
$("make").addEventListener("click", async () => {
  $("status").textContent = "writing…"; $("status").className = "";
  try {
    let response;
    if ($("audio").files.length) {
      const form = new FormData();
      form.append("file", $("audio").files[0]); form.append("template", $("template").value);
      form.append("source", $("source").value);
      response = await fetch("/v1/medical/notes", { method: "POST", body: form, headers: headers(false) });
    } else {
      sessionStorage.setItem("voxgate-note-transcript", $("input").value);
      sessionStorage.setItem("voxgate-note-source", $("source").value);
      response = await fetch("/v1/medical/notes", { method: "POST", headers: headers(true),
        body: JSON.stringify({ transcript: $("input").value, template: $("template").value, source: $("source").value }) });
    }
    const body = await response.json();
    if (!response.ok) throw new Error(body.error?.message || response.statusText);
    show(response.status === 202 ? await wait(body.url) : body);
    $("status").textContent = "done";
  } catch (err) {
    $("status").textContent = err.message; $("status").className = "error";
  }
});
// Arriving from the dictation page's "Make note" (/notes#make): make it at once.
if (location.hash === "#make" && $("input").value.trim()) $("make").click();
