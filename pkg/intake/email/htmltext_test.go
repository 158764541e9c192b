package email

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"paragraphs and br", "<p>Selamat pagi,</p><p>Nama: Siti<br>NIK: 3201014107870001</p>",
			"Selamat pagi,\n\nNama: Siti\nNIK: 3201014107870001"},
		{"gmail divs", "<div>Nama Lengkap: Siti</div><div>Nomor HP: 0812</div><div><br></div><div>Terima kasih</div>",
			"Nama Lengkap: Siti\nNomor HP: 0812\n\nTerima kasih"},
		{"table row on one line", "<table><tr><td>Nama Lengkap</td><td>Siti</td></tr><tr><th>NIK</th><td> 3201014107870001 </td></tr></table>",
			"Nama Lengkap\tSiti\nNIK\t3201014107870001"},
		{"spacer and block cells", "<table><tr><td>Keluhan</td><td>&nbsp;</td><td><p>sertifikat</p><p>belum keluar</p></td></tr></table>",
			"Keluhan\tsertifikat belum keluar"},
		{"layout table keeps blocks", "<table><tr><td><p>Halo</p><table><tr><td>NIK</td><td>123</td></tr></table></td></tr></table>",
			"Halo\n\nNIK\t123"},
		{"head script style dropped", "<html><head><title>t</title><style>p{}</style></head><body><script>x()</script>Isi</body></html>",
			"Isi"},
		{"entities decoded", "Tanya &amp; jawab &lt;PL&gt; &quot;ok&quot; &#8211; caf&eacute;", `Tanya & jawab <PL> "ok" – café`},
		{"whitespace collapsed", "  <p>  banyak \n\n  spasi  </p>\n\n\n<p></p><p></p><p>akhir</p>  ",
			"banyak spasi\n\nakhir"},
		{"inline elements join", "Nama <b>Siti</b> <i>Rahma</i>wati", "Nama Siti Rahmawati"},
		{"comments dropped", "a<!-- rahasia -->b", "ab"},
		{"blockquote lines quoted as a text part quotes them", "<div>Tolong dibantu</div><blockquote type=\"cite\"><div>Nama: Siti<br>NIK: 3201</div>" +
			"<blockquote><p>lama</p></blockquote></blockquote><div>Salam</div>",
			"Tolong dibantu\n\n> Nama: Siti\n> NIK: 3201\n\n> > lama\n\nSalam"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLToText(tt.html); got != tt.want {
				t.Errorf("HTMLToText(%q)\n got %q\nwant %q", tt.html, got, tt.want)
			}
		})
	}
}

func TestSanitizeHTML(t *testing.T) {
	in := `<p onclick="steal()" style="color:red">Halo <a href="javascript:alert(1)">klik</a>
<a href="https://pedulilindungi.id/">situs</a></p>
<script>alert(document.cookie)</script><iframe src="https://evil.example/"></iframe>
<img src="https://tracker.example/open.gif"><IMG SRC="HTTP://tracker.example/b.gif">
<img src="//tracker.example/c.gif"><img src="data:image/png;base64,iVBORw0KGgo=">
<img src="cid:ktp001@maria" alt="ktp" onerror="x()"><svg onload="x()"></svg>`
	got := sanitizeHTML(in)
	for _, bad := range []string{"onclick", "onerror", "onload", "<script", "alert", "javascript:", "<iframe",
		"tracker.example", "data:", "style=", "<svg"} {
		if strings.Contains(strings.ToLower(got), strings.ToLower(bad)) {
			t.Errorf("%q survived in %q", bad, got)
		}
	}
	for _, good := range []string{`<img src="cid:ktp001@maria" alt="ktp"/>`, `href="https://pedulilindungi.id/"`, "Halo", "klik"} {
		if !strings.Contains(got, good) {
			t.Errorf("%q missing from %q", good, got)
		}
	}
}
