package ticket

import "testing"

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "0811-1050-0567", want: "+6281110500567"},
		{in: "+62 811 1050 0567", want: "+6281110500567"},
		{in: "6281110500567", want: "+6281110500567"},
		{in: "81110500567", want: "+6281110500567"},
		{in: "+6281110500567", want: "+6281110500567"},
		{in: "0811.1050.0567", want: "+6281110500567"},
		{in: " 0811\t1050\u00a00567\n", want: "+6281110500567"},
		{in: "(021) 5223002", want: "+62215223002"},
		{in: "+62 (21) 522-3002", want: "+62215223002"},
		{in: "021 123456", want: "+6221123456"},           // 8 digits, the shortest
		{in: "0811 1234 5678 9", want: "+62811123456789"}, // 12 digits, the longest

		{in: "", wantErr: "nomor telepon belum diisi"},
		{in: " ( ) - ", wantErr: "nomor telepon belum diisi"},
		{in: "+", wantErr: "hanya boleh berisi angka"},
		{in: "0811-ABCD-0567", wantErr: "hanya boleh berisi angka"},
		{in: "0811 1050 0567 ext 2", wantErr: "hanya boleh berisi angka"},
		{in: "62+811", wantErr: "hanya boleh berisi angka"},
		{in: "+1 555 123 4567", wantErr: "hanya nomor Indonesia (+62)"},
		{in: "+44 20 7946 0958", wantErr: "hanya nomor Indonesia (+62)"},
		{in: "+62 0811 1050 0567", wantErr: "setelah 62 jangan tulis angka 0"},
		{in: "215223002", wantErr: "harus diawali 0, 8, 62 atau +62"}, // bare form must be a mobile
		{in: "1555123456", wantErr: "harus diawali 0, 8, 62 atau +62"},
		{in: "0011 555 123 4567", wantErr: "nomor telepon tidak valid"},
		{in: "0", wantErr: "nomor telepon tidak valid"},
		{in: "62", wantErr: "nomor telepon tidak valid"},
		{in: "021 12345", wantErr: "terlalu pendek"},
		{in: "0811 234", wantErr: "terlalu pendek"},
		{in: "0811 1234 5678 90", wantErr: "terlalu panjang"}, // 13 digits
		{in: "+62 811 1234 5678 90", wantErr: "terlalu panjang"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizePhone(tt.in)
			if tt.wantErr != "" {
				wantEINVALID(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("NormalizePhone(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
