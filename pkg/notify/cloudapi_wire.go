package notify

// The JSON of POST /{phone-number-id}/messages, as Meta documents it.

type waWire struct {
	Product       string         `json:"messaging_product"`
	RecipientType string         `json:"recipient_type"`
	To            string         `json:"to"`
	Type          string         `json:"type"`
	Context       *waWireContext `json:"context,omitempty"`
	Text          *waWireText    `json:"text,omitempty"`
	Interactive   *waWireInter   `json:"interactive,omitempty"`
	Document      *waWireDoc     `json:"document,omitempty"`
	Template      *waWireTmpl    `json:"template,omitempty"`
}

type waWireContext struct {
	MessageID string `json:"message_id"`
}

type waWireText struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url"`
}

type waWireInter struct {
	Type   string       `json:"type"` // button, list
	Body   waWireBody   `json:"body"`
	Action waWireAction `json:"action"`
}

type waWireAction struct {
	Button   string          `json:"button,omitempty"`
	Buttons  []waWireButton  `json:"buttons,omitempty"`
	Sections []waWireSection `json:"sections,omitempty"`
}

type waWireBody struct {
	Text string `json:"text"`
}

type waWireButton struct {
	Type  string `json:"type"` // reply
	Reply struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"reply"`
}

type waWireSection struct {
	Rows []waWireRow `json:"rows"`
}

type waWireRow struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

type waWireDoc struct {
	ID       string `json:"id"`
	Filename string `json:"filename,omitempty"`
	Caption  string `json:"caption,omitempty"`
}

type waWireTmpl struct {
	Name     string `json:"name"`
	Language struct {
		Code string `json:"code"`
	} `json:"language"`
	Components []waWireComponent `json:"components,omitempty"`
}

type waWireComponent struct {
	Type       string        `json:"type"` // body, button
	SubType    string        `json:"sub_type,omitempty"`
	Index      string        `json:"index,omitempty"`
	Parameters []waWireParam `json:"parameters"`
}

type waWireParam struct {
	Type string `json:"type"` // text
	Text string `json:"text"`
}

// wireOf is m as the Cloud API takes it.
func wireOf(m WAMessage) waWire {
	w := waWire{Product: "whatsapp", RecipientType: "individual", To: m.To}
	if m.ReplyTo != "" {
		w.Context = &waWireContext{MessageID: m.ReplyTo}
	}
	switch {
	case m.Template != nil:
		w.Type = "template"
		t := &waWireTmpl{Name: m.Template.Name}
		t.Language.Code = m.Template.Language
		if len(m.Template.BodyParams) > 0 {
			body := waWireComponent{Type: "body"}
			for _, p := range m.Template.BodyParams {
				body.Parameters = append(body.Parameters, waWireParam{Type: "text", Text: p})
			}
			t.Components = append(t.Components, body)
		}
		if m.Template.ButtonParam != "" {
			// An AUTHENTICATION template's copy-code button takes the code
			// as a url button parameter, as Meta documents it.
			t.Components = append(t.Components, waWireComponent{Type: "button", SubType: "url", Index: "0",
				Parameters: []waWireParam{{Type: "text", Text: m.Template.ButtonParam}}})
		}
		w.Template = t
	case m.Document != nil:
		w.Type = "document"
		w.Document = &waWireDoc{ID: m.Document.MediaID, Filename: m.Document.Filename, Caption: m.Document.Caption}
	case len(m.Buttons) > 0:
		w.Type = "interactive"
		in := &waWireInter{Type: "button", Body: waWireBody{Text: m.Text}}
		for _, b := range m.Buttons {
			wb := waWireButton{Type: "reply"}
			wb.Reply.ID, wb.Reply.Title = b.ID, b.Title
			in.Action.Buttons = append(in.Action.Buttons, wb)
		}
		w.Interactive = in
	case m.List != nil:
		w.Type = "interactive"
		in := &waWireInter{Type: "list", Body: waWireBody{Text: m.Text}}
		in.Action.Button = m.List.Button
		sec := waWireSection{}
		for _, r := range m.List.Rows {
			sec.Rows = append(sec.Rows, waWireRow{ID: r.ID, Title: r.Title, Description: r.Description})
		}
		in.Action.Sections = []waWireSection{sec}
		w.Interactive = in
	default:
		w.Type = "text"
		w.Text = &waWireText{Body: m.Text}
	}
	return w
}
