package operators

import "encoding/xml"

// The file forms of CyberPlat's operators.xml (format 2.0) and groups.xml,
// as the schemas operators.xsd and groups.xsd of CyberPlat's TerminalClient
// describe them (docs/catalogue.md). Each element keeps what it does not
// know (extra) so that the importer can name it instead of dropping it.

type extra struct {
	Any   []anyElem  `xml:",any"`
	Attrs []xml.Attr `xml:",any,attr"`
}

type anyElem struct {
	XMLName xml.Name
}

type operatorsFile struct {
	XMLName   xml.Name    `xml:"operators"`
	Version   *string     `xml:"version,attr"`
	Operators []operatorX `xml:"operator"`
	extra
}

type operatorX struct {
	ID        *string    `xml:"id,attr"`
	Name      *string    `xml:"name"`
	CID       *string    `xml:"cid"`
	Limit     *limitX    `xml:"limit"`
	Fields    *fieldsX   `xml:"fields"`
	Processor *processor `xml:"processor"`
	Comment   *string    `xml:"comment"`
	Receipts  *anyBlock  `xml:"receipts"`
	Pins      *anyBlock  `xml:"pins"`
	CWID      *string    `xml:"cwid"`
	extra
}

// anyBlock is an element the importer only names.
type anyBlock struct {
	Inner []byte `xml:",innerxml"`
}

type limitX struct {
	Min    *string `xml:"min,attr"`
	Max    *string `xml:"max,attr"`
	System *string `xml:"system,attr"`
	Check  *string `xml:"check,attr"`
	extra
}

type fieldsX struct {
	Fields []fieldX `xml:"field"`
	extra
}

type fieldX struct {
	Type     *string `xml:"type,attr"`
	ID       *string `xml:"id,attr"`
	Case     *string `xml:"case,attr"`
	Lang     *string `xml:"lang,attr"`
	MinSize  *string `xml:"min_size,attr"`
	MaxSize  *string `xml:"max_size,attr"`
	Sort     *string `xml:"sort,attr"`
	Class    *string `xml:"class,attr"`
	Required *string `xml:"required,attr"`

	Name       *string `xml:"name"`
	Comment    *string `xml:"comment"`
	Mask       *maskX  `xml:"mask"`
	Format     *string `xml:"format"`
	Enum       *enumX  `xml:"enum"`
	Default    *string `xml:"default"`
	Dependency *string `xml:"dependency"`
	External   *string `xml:"on_external_data"`
	extra
}

type maskX struct {
	Text     string  `xml:",chardata"`
	Password *string `xml:"password,attr"`
	extra
}

type enumX struct {
	Items []itemX `xml:"item"`
	extra
}

type itemX struct {
	Name  *string `xml:"name,attr"`
	Value *string `xml:"value,attr"`
	Sort  *string `xml:"sort,attr"`
	Items []itemX `xml:"item"`
	extra
}

type processor struct {
	Type     *string    `xml:"type,attr"`
	Keys     *string    `xml:"keys,attr"`
	Requests []requestX `xml:"request"`
	// The flags of the processor: PayDesk has none of them.
	SkipCheck      *string `xml:"skip_check,attr"`
	Rounding       *string `xml:"rounding,attr"`
	PayOnline      *string `xml:"pay_online,attr"`
	AskForRetry    *string `xml:"ask_for_retry,attr"`
	RequirePrinter *string `xml:"require_printer,attr"`
	ShowAddInfo    *string `xml:"show_add_info,attr"`
	FeeType        *string `xml:"fee_type,attr"`
	extra
}

type requestX struct {
	Name    *string     `xml:"name,attr"`
	URL     *string     `xml:"url"`
	Send    []propertyX `xml:"request_property"`
	Receive []propertyX `xml:"receive_property"`
	extra
}

type propertyX struct {
	Name    *string `xml:"name,attr"`
	Value   *string `xml:"value,attr"`
	Crypted *string `xml:"crypted,attr"`
	extra
}

type groupsFile struct {
	XMLName   xml.Name `xml:"groups"`
	Version   *string  `xml:"version,attr"`
	Groups    []groupX `xml:"group"`
	Operators []gopX   `xml:"operator"`
	extra
}

type groupX struct {
	ID        *string  `xml:"id,attr"`
	Name      *string  `xml:"name,attr"`
	Type      *string  `xml:"type,attr"`
	Image     *string  `xml:"image,attr"`
	Groups    []groupX `xml:"group"`
	Operators []gopX   `xml:"operator"`
	extra
}

type gopX struct {
	ID    *string `xml:"id,attr"`
	Image *string `xml:"image,attr"`
	extra
}
