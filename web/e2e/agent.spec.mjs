// The agent's day in the console: log in, take a call, work the queue,
// and the safety of what other people wrote.
import { expect } from './expect.mjs';

export const specs = [
  {
    name: 'masuk, navigasi sesuai peran, kehadiran, keluar',
    async run(t) {
      const page = await t.session('agen 1');
      const resp = await page.goto('/');
      t.check(resp.status() === 200, `GET / = ${resp.status()}, want 200`);
      await t.snap(page, 'masuk');
      await page.getByLabel('Email').fill(t.fx.agent1);
      await page.getByLabel('Kata sandi').fill('salah-sekali');
      page.allowed.push(/status of 401/);
      await page.getByRole('button', { name: 'Masuk' }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'salah' })).toBeVisible();
      await t.login(page, t.fx.agent1);
      const nav = page.getByRole('navigation', { name: 'Navigasi utama' });
      await expect(nav.getByRole('link', { name: 'Antrean' })).toBeVisible();
      await expect(nav.getByRole('link', { name: 'Panggilan Baru' })).toBeVisible();
      await expect(nav.getByRole('link', { name: 'Laporan' })).toHaveCount(0);
      await expect(nav.getByRole('link', { name: 'Admin' })).toHaveCount(0);
      const presence = (v) => Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/console/kehadiran') && r.ok()),
        page.getByLabel('Kehadiran').selectOption(v)]);
      await presence('away');
      await expect(page.getByLabel('Kehadiran')).toHaveValue('away');
      await page.reload();
      await expect(page.getByLabel('Kehadiran')).toHaveValue('away');
      await presence('available');
      await expect(page.getByLabel('Kehadiran')).toHaveValue('available');
      await page.reload();
      await expect(page.getByLabel('Kehadiran')).toHaveValue('available');
      await t.snap(page, 'antrean');
      await page.getByRole('button', { name: 'Keluar' }).click();
      await page.waitForURL((u) => u.pathname === '/');
      await page.goto('/console/antrean');
      await expect(page.getByRole('button', { name: 'Masuk' })).toBeVisible();
    },
  },
  {
    name: 'panggilan baru dari penelepon lama, hanya dengan papan ketik',
    async run(t) {
      const page = await t.session('agen 1');
      await t.login(page, t.fx.agent1);
      await page.getByRole('link', { name: 'Panggilan Baru' }).click();
      const nik = page.getByLabel('NIK');
      await expect(nik).toBeFocused();
      const kb = page.keyboard;
      await kb.type(t.fx.caller_nik.slice(0, 6));
      await expect(page.locator('#nik-pesan')).toContainText('✗');
      await kb.type(t.fx.caller_nik.slice(6));
      await expect(page.locator('#nik-pesan')).toContainText('NIK valid');
      const lookup = page.getByRole('complementary', { name: 'Data penelepon' });
      await expect(lookup).toContainText(t.fx.caller_name);
      for (const n of t.fx.caller_old) await expect(lookup).toContainText(n);
      await expect(lookup).toContainText('Email');
      await expect(lookup).toContainText('WhatsApp');
      t.check(!(await lookup.innerText()).includes(t.fx.caller_nik), 'the lookup shows the full NIK');
      await t.snap(page, 'panggilan-pencarian');
      await kb.press('Tab');
      await expect(page.getByLabel('Nama Lengkap')).toBeFocused();
      await kb.type(t.fx.caller_name);
      await kb.press('Tab');
      await expect(page.getByLabel('Nomor HP')).toBeFocused();
      await kb.type(t.fx.caller_phone);
      await expect(page.locator('#phone-pesan')).toContainText('Nomor HP valid');
      await kb.press('Tab');
      await expect(page.getByLabel('Kategori')).toBeFocused();
      await kb.press('ArrowDown');
      await expect(page.getByLabel('Kategori')).toHaveValue('certificate_missing');
      await kb.press('Tab');
      await expect(page.getByLabel('Keluhan')).toBeFocused();
      await kb.type('Sertifikat dosis 3 belum muncul setelah 2 minggu.');
      await kb.press('Tab'); // the optional fields, folded
      await kb.press('Tab');
      await expect(page.getByRole('button', { name: 'Simpan Tiket' })).toBeFocused();
      await kb.press('Enter');
      const saved = page.getByRole('heading', { name: /Tiket PL-\d{6}-\d{6,} tersimpan/ });
      await expect(saved).toBeVisible();
      await expect(saved).toBeFocused();
      const number = (await page.locator('#nomor-tiket').innerText()).trim();
      t.check(/^PL-\d{6}-\d{6,}$/.test(number), `saved number ${number}`);
      await expect(page.locator('.saved')).toContainText(t.fx.caller_old[0]);
      await t.snap(page, 'panggilan-tersimpan');
    },
  },
  {
    name: 'status kirim WhatsApp, buka NIK dengan alasan, gabungkan tiket satu pelapor',
    async run(t) {
      const page = await t.session('agen 1');
      await t.login(page, t.fx.agent1);
      const [mail, wa] = t.fx.caller_old;
      await page.goto(`/console/tiket/${wa}`);
      const thread = page.getByRole('region', { name: 'Percakapan' });
      await expect(thread).toContainText('Gagal terkirim');
      await expect(thread).toContainText('131047');
      await t.snap(page, 'tiket-whatsapp');
      await page.goto(`/console/tiket/${mail}`);
      const who = page.getByRole('region', { name: 'Pelapor', exact: true });
      t.check(!(await who.innerText()).includes(t.fx.caller_nik), 'the full NIK is shown before a reveal');
      await who.getByText('Buka NIK lengkap').click();
      await who.getByLabel('Alasan membuka NIK (dicatat)').selectOption({ index: 0 });
      await who.getByRole('button', { name: 'Buka NIK' }).click();
      await expect(page.locator('#nik')).toContainText(t.fx.caller_nik);
      await t.snap(page, 'nik-dibuka');
      await page.getByRole('button', { name: `Gabungkan ${wa} ke tiket ini` }).click();
      await expect(page.getByRole('status').filter({ hasText: 'digabungkan' })).toBeVisible();
      await expect(thread).toContainText('Mau ganti nomor HP');
      await page.goto(`/console/tiket/${wa}`);
      await expect(page.getByLabel('Status')).toHaveValue('closed');
    },
  },
  {
    name: 'ambil berikutnya, buka foto, balas, catatan, selesaikan',
    async run(t) {
      const page = await t.session('agen 1');
      await t.login(page, t.fx.agent1);
      const queue = page.getByRole('region', { name: `Antrean ${t.fx.queue}` });
      await expect(queue.getByRole('cell', { name: /Lewat SLA|Dalam SLA|Hampir lewat|Tanpa SLA/ }).first()).toBeVisible();
      await queue.getByRole('button', { name: 'Ambil Berikutnya' }).click();
      await page.waitForURL('**/console/tiket/PL-*');
      await expect(page.getByRole('heading', { level: 1 })).toContainText('Tiket PL-');
      await expect(page.getByText('Tanggal vaksin salah')).toBeVisible();
      const photos = page.getByRole('region', { name: 'Foto dan lampiran' });
      await expect(photos).toContainText('Tidak cocok');
      await expect(photos).toContainText('wajah pada swafoto tidak cocok dengan foto KTP');
      await expect(photos).toContainText('kartu terlalu buram');
      await t.snap(page, 'tiket-diambil');

      const link = photos.getByRole('link', { name: /Lihat KTP/ });
      const href = await link.getAttribute('href');
      const res = await page.request.get(href);
      t.check(res.status() === 200, `photo ${href} = ${res.status()}`);
      const h = res.headers();
      t.check(h['content-type'] === 'image/png', `photo Content-Type ${h['content-type']}`);
      t.check(h['x-content-type-options'] === 'nosniff', 'photo without nosniff');
      t.check(/\bsandbox\b/.test(h['content-security-policy'] || ''), `photo CSP ${h['content-security-policy']}`);
      t.check(/^inline; filename=lampiran-\d+\.png$/.test(h['content-disposition'] || ''), `photo Content-Disposition ${h['content-disposition']}`);
      const [photo] = await Promise.all([page.waitForEvent('popup'), link.click()]);
      await photo.waitForLoadState();
      await t.snap(photo, 'foto-ktp');
      await photo.close();

      const reply = page.getByLabel(/Balasan kepada pelapor/);
      await reply.focus();
      await page.keyboard.type('Selamat siang. /minta');
      await expect(page.getByLabel('Balasan siap pakai')).toBeVisible();
      await page.keyboard.press('Enter');
      await expect(reply).toHaveValue(/Selamat siang\. Mohon kirimkan tiga foto/);
      await t.snap(page, 'balasan-siap-pakai');
      await page.getByRole('button', { name: 'Balas', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Balasan disimpan' })).toBeVisible();
      const thread = page.getByRole('region', { name: 'Percakapan' });
      await expect(thread).toContainText('Mohon kirimkan tiga foto');
      await expect(thread).toContainText('Dalam antrean kirim');

      await page.getByLabel('Catatan Internal').fill('Sudah dicek ke dinkes, tanggal di P-Care memang salah.');
      await page.getByRole('button', { name: 'Simpan Catatan Internal' }).click();
      await expect(thread).toContainText('Sudah dicek ke dinkes');

      await page.getByLabel('Status').selectOption('resolved');
      await page.getByRole('button', { name: 'Simpan Perubahan' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Perubahan tiket disimpan' })).toBeVisible();
      await expect(page.getByLabel('Status')).toHaveValue('resolved');
      await expect(page.locator('.ticket-head')).toContainText('Selesai');
      await t.snap(page, 'tiket-selesai');
    },
  },
  {
    name: 'dua agen pada satu tiket saling melihat; balasan basi dihentikan',
    async run(t) {
      const a = await t.session('agen 1');
      const b = await t.session('agen 2');
      await t.login(a, t.fx.agent1);
      await t.login(b, t.fx.agent2);
      await a.goto(`/console/tiket/${t.fx.shared}`);
      await b.goto(`/console/tiket/${t.fx.shared}`);
      const seen = { timeout: 25000 };
      await expect(a.locator('#pembaca')).toContainText(t.fx.agent2_name, seen);
      await expect(b.locator('#pembaca')).toContainText(t.fx.agent1_name, seen);
      const list = await t.session('agen 2, daftar');
      await t.login(list, t.fx.agent2);
      const row = list.getByRole('row').filter({ hasText: t.fx.shared });
      await expect(row).toContainText(t.fx.agent1_name);
      await t.snap(list, 'antrean-dibuka-oleh');
      await t.snap(a, 'tiket-dua-agen');

      await b.getByLabel('Catatan Internal').fill('Saya telepon pelapor dulu.');
      await b.getByRole('button', { name: 'Simpan Catatan Internal' }).click();
      await expect(b.getByRole('region', { name: 'Percakapan' })).toContainText('Saya telepon pelapor dulu.');

      await a.getByLabel(/Balasan kepada pelapor/).fill('Sertifikat Anda sudah kami teruskan.');
      a.allowed.push(/status of 409/);
      await a.getByRole('button', { name: 'Balas', exact: true }).click();
      const stop = a.getByRole('alert').filter({ hasText: 'Tiket berubah sejak halaman ini dibuka' });
      await expect(stop).toBeVisible();
      await expect(stop).toContainText('Saya telepon pelapor dulu.');
      await expect(stop).toContainText(t.fx.agent2_name);
      await expect(a.getByLabel(/Balasan kepada pelapor/)).toHaveValue('Sertifikat Anda sudah kami teruskan.');
      t.check(!(await a.getByRole('region', { name: 'Percakapan' }).innerText()).includes('Dalam antrean kirim'),
        'the stale reply was sent');
      await t.snap(a, 'balasan-basi-dihentikan');
    },
  },
  {
    name: 'email berisi script, onerror dan javascript: tampil mati',
    async run(t) {
      const page = await t.session('agen 1');
      await t.login(page, t.fx.agent1);
      await page.goto(`/console/tiket/${t.fx.hostile}`);
      const frame = page.frameLocator('iframe[title="Isi email dari pelapor"]');
      await expect(frame.getByText('Sertifikat saya belum muncul.').first()).toBeVisible();
      const el = page.locator('iframe[title="Isi email dari pelapor"]');
      t.check((await el.getAttribute('sandbox')) === '', 'the mail frame is not fully sandboxed');
      const body = await frame.locator('body').innerHTML();
      for (const bad of ['<script', 'onerror', 'javascript:', 'onload', '<img', '<form', '<iframe', 'evil.example/track']) {
        t.check(!body.toLowerCase().includes(bad), `mail body still has ${bad}: ${body}`);
      }
      await expect(frame.getByRole('link', { name: 'klik di sini' })).toHaveCount(0);
      const src = await el.getAttribute('src');
      const res = await page.request.get(src);
      const csp = res.headers()['content-security-policy'] || '';
      t.check(/\bsandbox\b/.test(csp) && /default-src 'none'/.test(csp), `mail frame CSP ${csp}`);
      await page.waitForTimeout(500); // let anything that could fire, fire
      await t.snap(page, 'email-berbahaya');
    },
  },
  {
    name: 'tiket baru muncul di antrean tanpa memuat ulang, di dua tab',
    async run(t) {
      const a = await t.session('agen 1');
      await t.login(a, t.fx.agent1);
      const tab2 = await a.context().newPage();
      await tab2.goto('/console/antrean');
      await a.evaluate(() => { window.__belumDimuatUlang = true; });
      await tab2.evaluate(() => { window.__belumDimuatUlang = true; });

      const b = await t.session('agen 2');
      await t.login(b, t.fx.agent2);
      await b.goto('/console/panggilan');
      await b.getByLabel('NIK').fill('3578010101900004');
      await b.getByLabel('Nama Lengkap').fill('Wahyu Pratama');
      await b.getByLabel('Nomor HP').fill('085712345678');
      await b.getByLabel('Kategori').selectOption('app_issue');
      await b.getByLabel('Keluhan').fill('Kode OTP tidak pernah masuk.');
      await b.getByRole('button', { name: 'Simpan Tiket' }).click();
      const number = (await b.locator('#nomor-tiket').innerText()).trim();
      const routed = await fetch(`${t.fx.control}/route?number=${number}`, { method: 'POST' });
      t.check(routed.ok, `routing ${number}: ${routed.status}`);
      for (const p of [a, tab2]) {
        await expect(p.locator('#baru')).toContainText(`Tiket baru ${number}`, { timeout: 15000 });
        await expect(p.getByRole('row').filter({ hasText: number })).toBeVisible();
        t.check(await p.evaluate(() => window.__belumDimuatUlang === true), 'the page was reloaded');
      }
      await t.snap(a, 'antrean-tiket-baru');
    },
  },
  {
    name: 'pintasan papan ketik dengan daftar ? dan bisa dimatikan',
    async run(t) {
      const page = await t.session('agen 1');
      await t.login(page, t.fx.agent1);
      await page.keyboard.press('?');
      const dialog = page.getByRole('dialog', { name: 'Pintasan papan ketik' });
      await expect(dialog).toBeVisible();
      await t.snap(page, 'pintasan');
      await dialog.getByLabel('Matikan pintasan papan ketik').check();
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
      await page.keyboard.press('g');
      await page.keyboard.press('p');
      await page.waitForTimeout(300);
      t.check(page.url().endsWith('/console/antrean'), 'a shortcut worked while turned off');
      await page.keyboard.press('?');
      await dialog.getByLabel('Matikan pintasan papan ketik').uncheck();
      await page.keyboard.press('Escape');
      await page.keyboard.press('g');
      await page.keyboard.press('p');
      await page.waitForURL('**/console/panggilan');
    },
  },
];
