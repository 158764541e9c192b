// The supervisor's and the admin's day: the live board, reassigning a
// ticket, the weekly report with its downloads read back and checked, and
// an admin taking a quarantined mail in as a ticket.
import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { expect } from './expect.mjs';

// parseCSV reads RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF).
function parseCSV(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// unzip returns the entries of a zip archive (stored or deflated), read
// from its central directory, as {name: Buffer}.
function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file: no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const out = {};
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = buf.readUInt16LE(at + 10);
    const csize = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28), extraLen = buf.readUInt16LE(at + 30), commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataAt, dataAt + csize);
    out[name] = method === 0 ? data : inflateRawSync(data);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

// sheetRows reads a worksheet's XML into rows of cell texts by column
// letter: the numbers, inline and plain strings excelize's stream writer
// writes.
function sheetRows(xml) {
  const rows = [];
  for (const m of xml.matchAll(/<row[^>]*>(.*?)<\/row>/gs)) {
    const cells = {};
    for (const c of m[1].matchAll(/<c r="([A-Z]+)\d+"[^>]*?(?:\/>|>(.*?)<\/c>)/gs)) {
      const inner = c[2] || '';
      const v = inner.match(/<v>([^<]*)<\/v>/) || inner.match(/<t[^>]*>([^<]*)<\/t>/);
      cells[c[1]] = v ? v[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>') : '';
    }
    rows.push(cells);
  }
  return rows;
}

async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  const failure = await dl.failure();
  if (failure) throw new Error(`download ${dl.suggestedFilename()} failed: ${failure}`);
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
}

export const specs = [
  {
    name: 'supervisor: papan pantau, tugaskan ulang, laporan mingguan, unduh CSV dan XLSX',
    async run(t) {
      const o = t.fx.oversight;
      const page = await t.session('supervisor');
      await t.login(page, o.supervisor);
      const nav = page.getByRole('navigation', { name: 'Navigasi utama' });
      await expect(nav.getByRole('link', { name: 'Admin' })).toHaveCount(0);
      await nav.getByRole('link', { name: 'Laporan' }).click();
      await page.waitForURL('**/console/laporan');
      await expect(page.getByRole('heading', { name: 'Papan Pantau' })).toBeVisible();
      const queues = page.getByRole('table', { name: 'Beban per antrean' });
      await expect(queues.getByRole('rowheader', { name: o.queue })).toBeVisible();
      const agents = page.getByRole('table', { name: 'Beban per agen' });
      await expect(agents.getByRole('rowheader', { name: o.agent_name })).toBeVisible();
      await t.snap(page, 'papan-pantau');

      // Reassign: the same desk service as PATCH /tickets/{id}.
      await page.getByLabel('Nomor tiket').fill(o.reassign);
      const pick = page.getByRole('combobox', { name: 'Agen', exact: true });
      await pick.selectOption(await pick.locator('option', { hasText: o.agent_name }).getAttribute('value'));
      await page.getByRole('button', { name: 'Tugaskan' }).click();
      await expect(page.getByRole('status').filter({ hasText: o.reassign })).toContainText(o.agent_name);

      // The weekly report of the seeded week, picked with the week field.
      await page.getByRole('link', { name: 'Laporan Mingguan' }).click();
      await page.getByLabel('Minggu (ISO)').fill(o.week);
      await page.getByRole('button', { name: 'Tampilkan' }).click();
      await expect(page.getByRole('heading', { name: 'Laporan Mingguan ' + o.week })).toBeVisible();
      await expect(page.getByRole('img', { name: new RegExp('Tiket masuk per hari dan kanal') })).toBeVisible();
      const byChannel = page.getByRole('table', { name: new RegExp('Tiket masuk per hari dan kanal') });
      await expect(byChannel).toContainText('Email');
      await expect(page.getByRole('definition').first()).toContainText(String(o.week_created));
      await t.snap(page, 'laporan-mingguan');

      const csv = await download(page, () => page.getByRole('button', { name: 'Unduh CSV' }).click());
      t.check(csv.name === `aduan-${o.week}.csv`, `CSV named ${csv.name}`);
      const rows = parseCSV(csv.bytes.toString('utf8'));
      t.check(rows[0].join(',') === 'week,date,channel,category,metric,value', `CSV header ${rows[0]}`);
      const total = rows.find((r) => r[4] === 'created' && !r[1] && !r[2] && !r[3]);
      t.check(total && Number(total[5]) === o.week_created, `CSV created total ${total}, want ${o.week_created}`);
      const emails = rows.filter((r) => r[4] === 'created' && r[2] === 'email').reduce((n, r) => n + Number(r[5]), 0);
      t.check(emails === o.week_email, `CSV email tickets ${emails}, want ${o.week_email}`);

      const xlsx = await download(page, () => page.getByRole('button', { name: 'Unduh XLSX' }).click());
      t.check(xlsx.name === `aduan-${o.week}.xlsx`, `XLSX named ${xlsx.name}`);
      const files = unzip(xlsx.bytes);
      const book = files['xl/workbook.xml']?.toString('utf8') || '';
      t.check(book.includes('name="Laporan"') && book.includes('name="Per hari"'), `XLSX sheets: ${book.slice(0, 300)}`);
      const sheet = sheetRows(files['xl/worksheets/sheet1.xml'].toString('utf8'));
      t.check(sheet.length === rows.length, `XLSX has ${sheet.length} rows, the CSV ${rows.length}`);
      const xTotal = sheet.find((r) => r.E === 'created' && !r.B && !r.C && !r.D);
      t.check(xTotal && Number(xTotal.F) === o.week_created, `XLSX created total ${JSON.stringify(xTotal)}`);

      // The week's tickets, one per row, streamed.
      const perTicket = await download(page, () => page.getByRole('link', { name: 'Tiket per baris (CSV)' }).click());
      const trows = parseCSV(perTicket.bytes.toString('utf8'));
      t.check(trows.length - 1 === o.week_created, `per-ticket CSV has ${trows.length - 1} tickets, want ${o.week_created}`);
      t.check(!perTicket.bytes.toString('utf8').includes(o.nik), 'the per-ticket export carries a NIK');
    },
  },
  {
    name: 'admin: pengguna, aturan, email karantina menjadi tiket',
    async run(t) {
      const o = t.fx.oversight;
      const page = await t.session('admin');
      await t.login(page, o.admin);
      const nav = page.getByRole('navigation', { name: 'Navigasi utama' });
      await expect(nav.getByRole('link', { name: 'Laporan' })).toBeVisible();
      await nav.getByRole('link', { name: 'Admin' }).click();
      await page.waitForURL('**/console/admin');
      await expect(page.getByRole('heading', { name: 'Pengguna dan antrean' })).toBeVisible();
      await expect(page.getByRole('link', { name: 'Pemantau tugas' })).toBeVisible();
      await t.snap(page, 'admin-pengguna');

      // A new agent with queues, then their capacity changed.
      await page.getByLabel('Email').fill('agen3@aduan.test');
      await page.getByLabel('Nama Lengkap').fill('Yusuf Maulana');
      await page.getByRole('combobox', { name: 'Peran' }).selectOption('agent');
      await page.getByLabel('Kata sandi awal').fill('sandi-awal-rudi-1');
      await page.getByLabel('Antrean', { exact: true }).fill(o.queue);
      await page.getByLabel('Kapasitas', { exact: true }).fill('12');
      await page.getByRole('button', { name: 'Tambah Pengguna' }).click();
      await expect(page.getByRole('status')).toContainText('Yusuf Maulana ditambahkan');
      await page.getByLabel('Kapasitas Yusuf Maulana', { exact: true }).fill('8');
      await page.getByRole('button', { name: 'Simpan antrean dan kapasitas Yusuf Maulana' }).click();
      await expect(page.getByRole('status')).toContainText('Yusuf Maulana disimpan');
      await expect(page.getByLabel('Kapasitas Yusuf Maulana', { exact: true })).toHaveValue('8');

      await page.getByRole('link', { name: 'Aturan dan SLA' }).click();
      await expect(page.getByRole('heading', { name: 'Aturan dan SLA' })).toBeVisible();
      await expect(page.locator('pre.config').first()).toContainText('default_queue');
      await t.snap(page, 'admin-aturan');

      await page.getByRole('link', { name: 'Email karantina' }).click();
      const quarantine = page.getByRole('table', { name: 'Email dalam karantina' });
      await expect(quarantine).toContainText(o.quarantine_reason);
      await t.snap(page, 'admin-email');
      await quarantine.getByRole('button', { name: `Coba Lagi email UID ${o.quarantine_uid}` }).click();
      const notice = page.getByRole('status').filter({ hasText: 'tiket baru' });
      await expect(notice).toBeVisible();
      await expect(page.getByRole('table', { name: 'Email dalam karantina' })).toHaveCount(0);
      await t.snap(page, 'admin-email-dilepas');
      await notice.getByRole('link', { name: /Buka tiket/ }).click();
      await expect(page.getByRole('heading', { name: /PL-/ }).first()).toBeVisible();
      await expect(page.locator('body')).toContainText(o.quarantine_subject);
      await t.snap(page, 'tiket-dari-karantina');
    },
  },
];
