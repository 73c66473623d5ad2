package invoice

import (
	"fmt"
	netmail "net/mail"
	"strings"

	"github.com/hsworkshop/hsworkshop/internal/pdfdoc"
	"github.com/hsworkshop/hsworkshop/models"
)

// Page geometry in millimetres (US Letter).
const (
	margin       = 18.0
	bottomMargin = 22.0
	amountW      = 34.0
	lineH        = 4.6
)

// Colours, as 0xRRGGBB.
const (
	ink   = 0x1c2733
	muted = 0x5b6b7b
	brand = 0x0b5cab
	rule  = 0xd2d9e0
	shade = 0xeef2f6
	green = 0x1d7a3a
	red   = 0xb3261e
)

// rgb splits a 0xRRGGBB colour.
func rgb(c int) (r, g, b int) { return c >> 16 & 0xff, c >> 8 & 0xff, c & 0xff }

// render draws the document; tests turn compression off to read the text.
func render(o models.Order, doc Document, compress bool) ([]byte, error) {
	if doc.Now.IsZero() {
		return nil, fmt.Errorf("render %s of order %s: Document.Now is required: %w", doc.Kind, o.Number(), models.ErrInvalid)
	}
	st, err := buildStatement(o, doc)
	if err != nil {
		return nil, err
	}
	// Fixed dates (Now) make the bytes a function of the input.
	b, err := pdfdoc.Render(pdfdoc.Options{Orientation: "P", Title: st.title, Author: doc.Seller.Name, At: doc.Now, Compress: compress},
		func(pdf *pdfdoc.Doc) error {
			draw(pdf, st, doc)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("render %s of order %s: %w", doc.Kind, o.Number(), err)
	}
	return b, nil
}

// draw lays out the statement.
func draw(pdf *pdfdoc.Doc, st statement, doc Document) {
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, bottomMargin)
	pdf.AliasNbPages("{nb}")

	d := &drawer{pdf: pdf, tr: pdf.Text}
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		d.font("", 8, muted)
		pdf.CellFormat(0, 4, d.tr(fmt.Sprintf("%s · %s · Page %d of {nb}", doc.Seller.Name, st.title, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	d.header(st, doc)
	d.parties(st)
	d.table(st)
	d.closing(st, doc)
}

// drawer holds the PDF and the text translator.
type drawer struct {
	pdf *pdfdoc.Doc
	tr  func(string) string
}

func (d *drawer) font(style string, size float64, color int) {
	d.pdf.Font(style, size)
	d.pdf.SetTextColor(rgb(color))
}

func (d *drawer) width() float64 {
	w, _ := d.pdf.GetPageSize()
	return w - 2*margin
}

// header prints the seller on the left and the title, number and stamp on
// the right.
func (d *drawer) header(st statement, doc Document) {
	pdf := d.pdf
	top := pdf.GetY()
	leftW := d.width() * 0.55
	d.font("B", 15, brand)
	pdf.MultiCell(leftW, 7, d.tr(doc.Seller.Name), "", "L", false)
	d.font("", 9, muted)
	lines := append([]string{}, doc.Seller.Address...)
	if e := displayEmail(doc.Seller.Email); e != "" {
		lines = append(lines, e)
	}
	for _, l := range lines {
		pdf.CellFormat(leftW, lineH, d.tr(l), "", 1, "L", false, 0, "")
	}
	leftBottom := pdf.GetY()

	x := margin + leftW
	rightW := d.width() - leftW
	pdf.SetXY(x, top)
	d.font("B", 22, ink)
	pdf.CellFormat(rightW, 10, d.tr(doc.Kind.String()), "", 2, "R", false, 0, "")
	d.font("", 11, muted)
	number := strings.TrimSpace(strings.TrimPrefix(st.title, doc.Kind.String()))
	pdf.CellFormat(rightW, 6, d.tr(number), "", 2, "R", false, 0, "")
	if st.stamp != "" {
		c := green
		if st.stamp == "VOID" {
			c = red
		}
		pdf.Ln(2)
		pdf.SetX(x + rightW - 30)
		pdf.SetDrawColor(rgb(c))
		pdf.SetLineWidth(0.6)
		d.font("B", 12, c)
		pdf.CellFormat(30, 8, st.stamp, "1", 2, "C", false, 0, "")
		pdf.SetLineWidth(0.2)
	}
	pdf.SetY(max(leftBottom, pdf.GetY()) + 8)
}

// parties prints "Bill to" beside the document's dates and references.
func (d *drawer) parties(st statement) {
	pdf := d.pdf
	top := pdf.GetY()
	leftW := d.width() * 0.5
	d.font("B", 8, muted)
	pdf.CellFormat(leftW, 5, "BILL TO", "", 1, "L", false, 0, "")
	for i, l := range st.billTo {
		if i == 0 {
			d.font("B", 10, ink)
		} else {
			d.font("", 10, ink)
		}
		pdf.MultiCell(leftW-4, 5, d.tr(l), "", "L", false)
	}
	leftBottom := pdf.GetY()

	x := margin + leftW
	labelW, valueW := 32.0, d.width()-leftW-32
	pdf.SetXY(x, top)
	for _, m := range st.meta {
		pdf.SetX(x)
		d.font("", 9, muted)
		pdf.CellFormat(labelW, 5, d.tr(m[0]), "", 0, "L", false, 0, "")
		d.font("B", 9, ink)
		pdf.CellFormat(valueW, 5, d.tr(m[1]), "", 1, "R", false, 0, "")
	}
	pdf.SetY(max(leftBottom, pdf.GetY()) + 8)
}

// table prints the item rows, the total and the summary under it.
func (d *drawer) table(st statement) {
	pdf := d.pdf
	descW := d.width() - amountW
	head := func() {
		d.font("B", 9, ink)
		pdf.SetFillColor(rgb(shade))
		pdf.CellFormat(descW, 7, " Description", "", 0, "L", true, 0, "")
		pdf.CellFormat(amountW, 7, "Amount ", "", 1, "R", true, 0, "")
	}
	head()
	for _, r := range st.rows {
		d.font("", 9.5, ink)
		if r.muted {
			d.font("", 9.5, muted)
		}
		txt := d.tr(r.desc)
		n := pdf.Lines(txt, descW-4)
		h := float64(max(n, 1))*lineH + 3
		_, pageH := pdf.GetPageSize()
		if pdf.GetY()+h > pageH-bottomMargin {
			pdf.AddPage()
			head()
			d.font("", 9.5, ink)
			if r.muted {
				d.font("", 9.5, muted)
			}
		}
		x, y := pdf.GetXY()
		pdf.SetXY(x+1.5, y+1.5)
		pdf.MultiCell(descW-3, lineH, txt, "", "L", false)
		pdf.SetXY(x+descW, y+1.5)
		pdf.CellFormat(amountW-1.5, lineH, d.tr(formatMoney(r.amount, st.currency)), "", 0, "R", false, 0, "")
		pdf.SetDrawColor(rgb(rule))
		pdf.Line(x, y+h, x+descW+amountW, y+h)
		pdf.SetXY(x, y+h)
	}
	pdf.Ln(2)
	d.totalRow(row{desc: "Total", amount: st.total, strong: true}, st.currency, 11)
	for _, r := range st.summary {
		d.totalRow(r, st.currency, 10)
	}
	pdf.Ln(1)
	d.font("", 8, muted)
	pdf.CellFormat(0, 4, "All amounts in "+d.tr(st.currency)+".", "", 1, "R", false, 0, "")
	pdf.Ln(5)
}

// totalRow prints a right-aligned label and amount.
func (d *drawer) totalRow(r row, currency string, size float64) {
	style := ""
	if r.strong {
		style = "B"
	}
	d.font(style, size, ink)
	labelW := d.width() - amountW
	d.pdf.CellFormat(labelW, 6.5, d.tr(r.desc), "", 0, "R", false, 0, "")
	d.pdf.CellFormat(amountW-1.5, 6.5, d.tr(formatMoney(r.amount, currency)), "", 1, "R", false, 0, "")
}

// closing prints the notes, payment instructions and contact line.
func (d *drawer) closing(st statement, doc Document) {
	pdf := d.pdf
	for _, n := range st.notes {
		d.font("", 9.5, ink)
		pdf.MultiCell(0, 5, d.tr(n), "", "L", false)
		pdf.Ln(1)
	}
	if st.due > 0 && strings.TrimSpace(doc.PaymentInstructions) != "" {
		pdf.Ln(3)
		d.font("B", 10, ink)
		pdf.CellFormat(0, 6, "How to pay", "", 1, "L", false, 0, "")
		d.font("", 9.5, ink)
		pdf.SetFillColor(rgb(shade))
		text := strings.TrimSpace(doc.PaymentInstructions)
		number := strings.TrimSpace(strings.TrimPrefix(st.title, doc.Kind.String()))
		text += "\nPlease quote invoice number " + number + " with your payment."
		for _, para := range strings.Split(text, "\n") {
			pdf.MultiCell(0, 5, d.tr(strings.TrimSpace(para)), "", "L", true)
		}
	}
	if pdf.FellBack() {
		pdf.Ln(3)
		d.font("", 8, muted)
		pdf.MultiCell(0, 4, pdfdoc.FallbackNote, "", "L", false)
	}
	if e := displayEmail(doc.Seller.Email); e != "" {
		pdf.Ln(4)
		d.font("", 9, muted)
		pdf.MultiCell(0, 5, d.tr("Questions about this "+strings.ToLower(doc.Kind.String())+"? Write to "+e+"."), "", "L", false)
	}
}

// displayEmail shows the address of "Name <address>" (or the text as
// given when it is not an address).
func displayEmail(s string) string {
	if a, err := netmail.ParseAddress(s); err == nil {
		return a.Address
	}
	return strings.TrimSpace(s)
}
