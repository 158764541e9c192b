// The demo chat: what the person types or taps is posted to the stand-in,
// which signs it like Meta and posts it to Aduan's webhook; the bot's
// answers are polled every second.
"use strict";
const log = document.getElementById("log");
const statusLine = document.getElementById("status");
const shown = new Map(); // seq → element
let after = 0;
let wa = localStorage.getItem("wa") || document.getElementById("wa").value;
let name = localStorage.getItem("name") || document.getElementById("name").value;
document.getElementById("wa").value = wa;
document.getElementById("name").value = name;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

async function send(body) {
  statusLine.textContent = "";
  const res = await fetch("/chat/send", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify(Object.assign({wa_id: wa, name: name}, body))});
  if (!res.ok) statusLine.textContent = "Gagal: " + ((await res.json()).error || res.status);
  poll();
}

// formatted appends text to parent as WhatsApp shows it: *bold*, _italic_,
// ~strikethrough~, built from text nodes so nothing the bot sends is read
// as HTML.
function formatted(parent, text) {
  const span = el("span");
  const re = /([*_~])([^*_~\n]+)\1/g;
  let at = 0, m;
  while ((m = re.exec(text)) !== null) {
    span.append(document.createTextNode(text.slice(at, m.index)));
    span.append(el({"*": "strong", "_": "em", "~": "s"}[m[1]], "", m[2]));
    at = m.index + m[0].length;
  }
  span.append(document.createTextNode(text.slice(at)));
  parent.append(span);
}

function option(m, o, kind) {
  const b = el("button", "", o.title);
  if (o.description) b.append(el("span", "desc", o.description));
  b.type = "button";
  b.onclick = () => send({reply: {kind: kind, id: o.id, title: o.title}, context: m.id});
  return b;
}

function render(m) {
  const div = el("div", "msg " + m.dir);
  if (m.text) formatted(div, m.text);
  if (m.template) div.append(el("em", "template", "Template " + m.template));
  if (m.buttons) {
    const opts = el("div", "options");
    m.buttons.forEach(o => opts.append(option(m, o, "button_reply")));
    div.append(opts);
  }
  if (m.list) {
    const opts = el("details", "options");
    opts.append(el("summary", "", "☰ " + m.list.button));
    m.list.rows.forEach(o => opts.append(option(m, o, "list_reply")));
    div.append(opts);
  }
  if (m.document) {
    const a = el("a", "doc", "📄 " + (m.document.filename || "dokumen") + " — buka");
    a.href = m.document.url; a.target = "_blank"; a.rel = "noopener";
    div.append(a);
    if (m.document.caption) formatted(div, m.document.caption);
  }
  if (m.image) {
    const img = el("img"); img.src = m.image.url; img.alt = m.image.filename || "foto";
    div.append(img);
    if (m.image.caption) div.append(el("span", "", m.image.caption));
  }
  const t = el("time", "", new Date(m.at).toLocaleTimeString("id-ID") + (m.dir === "in" ? (m.read ? " ✓✓ dibaca" : " ✓") : ""));
  div.append(t);
  return div;
}

async function poll() {
  try {
    const res = await fetch("/chat/messages?wa_id=" + encodeURIComponent(wa) + "&after=" + after);
    const data = await res.json();
    for (const m of data.messages) {
      const old = shown.get(m.seq);
      const node = render(m);
      if (old) { old.replaceWith(node); } else { log.append(node); log.scrollTop = log.scrollHeight; }
      shown.set(m.seq, node);
      if (m.seq > after && m.dir !== "in") after = m.seq;
    }
  } catch (e) {
    statusLine.textContent = "Stand-in tidak menjawab: " + e;
  }
}

document.getElementById("say").onsubmit = ev => {
  ev.preventDefault();
  const input = document.getElementById("text");
  const text = input.value.trim();
  if (text) send({text: text});
  input.value = "";
};
document.getElementById("photo").onsubmit = async ev => {
  ev.preventDefault();
  const file = document.getElementById("file").files[0];
  if (!file) { statusLine.textContent = "Pilih foto dulu."; return; }
  const form = new FormData();
  form.append("wa_id", wa); form.append("name", name); form.append("file", file);
  form.append("caption", document.getElementById("caption").value);
  const res = await fetch("/chat/photo", {method: "POST", body: form});
  if (!res.ok) statusLine.textContent = "Gagal: " + ((await res.json()).error || res.status);
  poll();
};
document.getElementById("who").onsubmit = ev => {
  ev.preventDefault();
  wa = document.getElementById("wa").value.trim();
  name = document.getElementById("name").value.trim();
  localStorage.setItem("wa", wa); localStorage.setItem("name", name);
  log.textContent = ""; shown.clear(); after = 0;
  poll();
};
poll();
setInterval(poll, 1000);
