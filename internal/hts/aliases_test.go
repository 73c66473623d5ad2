package hts

import (
	"strings"
	"testing"

	"github.com/hsworkshop/hsworkshop/content"
)

// tradeNames glosses, in the schedule's own words, every alias name that
// shares no word stem with the text of the line it names (its description,
// printed path, HS 2022 text or the lines under it). The gloss must match
// that text: so a reviewer has said what the trade name means in tariff
// terms, and a name moved to a line that does not cover it fails.
var tradeNames = map[string]string{
	"laptop": "portable automatic data processing machine", "notebook computer": "portable data processing machine",
	"netbook": "portable data processing machine", "chromebook": "portable data processing machine", "ultrabook": "portable data processing machine",
	"desktop computer": "data processing machine with processing unit, input and output", "personal computer": "data processing machine",
	"pc": "data processing machine", "workstation computer": "data processing machine", "all-in-one computer": "data processing machine",
	"computer tower": "processing units", "server": "processing units", "rack server": "processing units",
	"computer mouse": "input units", "hdd": "storage units", "ssd": "storage units",
	"mobile phone": "telephones for cellular networks", "cell phone": "telephones for cellular networks", "cellphone": "telephones for cellular networks",
	"iphone": "smartphones", "android phone": "smartphones",
	"router": "machines for the reception, conversion and transmission of data", "wifi router": "apparatus for transmission of data",
	"bluetooth adapter": "apparatus for transmission of data",
	"earbuds":           "earphones", "headset": "headphones combined with a microphone",
	"speaker": "loudspeakers", "bookshelf speakers": "loudspeakers",
	"tv": "reception apparatus for television", "smart tv": "reception apparatus for television",
	"webcam": "digital cameras", "laptop charger": "static converters", "phone charger": "static converters", "usb charger": "static converters",
	"air fryer": "electric cooking ovens, cookers", "espresso machine": "coffee makers", "hairdryer": "hair dryers",
	"juicer": "fruit or vegetable juice extractors", "hoover": "vacuum cleaners", "fridge": "refrigerators", "washer": "washing machines",
	"e-bike": "cycles with electric motor", "ebike": "cycles with electric motor", "pedelec": "cycles with auxiliary electric motor",
	"e-scooter": "with electric motor for propulsion",
	"bike":      "bicycles", "mountain bike": "bicycles", "road bike": "bicycles",
	"ev": "vehicles with only electric motor for propulsion", "automobile": "motor cars", "sedan": "motor cars", "suv": "motor cars, station wagons",
	"pickup truck": "motor vehicles for the transport of goods", "delivery truck": "motor vehicles for the transport of goods",
	"gasoline pickup truck": "spark-ignition, for transport of goods", "petrol truck": "spark-ignition, for transport of goods",
	"freighter": "vessels for the transport of goods", "airliner": "aeroplanes", "jet": "aeroplanes",
	"drone": "unmanned aircraft", "quadcopter": "unmanned aircraft", "uav": "unmanned aircraft",
	"action figure": "dolls, other toys", "stuffed animal": "toys", "teddy bear": "toys",
	"playstation": "video game consoles", "xbox": "video game consoles", "nintendo": "video game consoles",
	"treadmill": "equipment for general physical exercise", "dumbbells": "equipment for general physical exercise",
	"sofa": "upholstered seats", "couch": "upholstered seats", "armchair": "upholstered seats", "office chair": "swivel seats with variable height adjustment",
	"bookcase": "wooden furniture", "desk": "wooden furniture", "wardrobe": "wooden furniture", "dresser": "wooden furniture",
	"shades": "sunglasses", "eyeglasses": "spectacles", "ventilator": "artificial respiration apparatus", "cpap": "therapeutic respiration apparatus",
	"sneakers": "sports footwear, training shoes", "trainers": "training shoes", "canvas shoes": "footwear with uppers of textile materials",
	"slip-on sneakers": "footwear with uppers of textile materials", "espadrilles": "footwear with uppers of textile materials",
	"oxfords": "footwear with uppers of leather", "loafers": "footwear with uppers of leather", "crocs": "footwear of rubber or plastics",
	"clogs": "footwear of rubber or plastics", "flip-flops": "upper straps or thongs assembled to the sole by plugs",
	"flip flops": "upper straps or thongs assembled to the sole by plugs", "wellies": "waterproof footwear", "galoshes": "waterproof footwear",
	"tee": "T-shirts", "jumper": "pullovers", "hoodie": "pullovers, sweatshirts", "jeans": "trousers of cotton", "chinos": "trousers of cotton",
	"slacks": "trousers", "ladies pants": "women's trousers", "parka": "anoraks", "boxer shorts": "underpants", "bra": "brassieres", "bras": "brassieres",
	"swimsuit": "swimwear", "cap": "hats and other headgear", "baseball cap": "headgear", "beanie": "headgear, knitted",
	"duvet cover": "bed linen", "rug": "carpets and other textile floor coverings", "face mask": "made up articles, other",
	"masks": "made up articles, other", "dinnerware": "ceramic tableware",
	"microchip": "electronic integrated circuits", "cpu": "processors", "gpu": "processors", "ram": "memories", "dram": "memories",
	"usb flash drive": "solid-state non-volatile storage devices", "thumb drive": "solid-state non-volatile storage devices",
	"motherboard": "parts of the machines of heading 8471", "sprayer": "appliances for projecting, dispersing or spraying liquids",
	"digger": "excavators", "lawnmower": "mowers for lawns", "medicine": "medicaments", "medicines": "medicaments", "drugs": "medicaments",
	"tablets": "medicaments in measured doses", "pills": "medicaments in measured doses", "painkillers": "medicaments",
	"ibuprofen": "medicaments", "multivitamin tablets": "medicaments containing vitamins",
	"dietary supplement": "food preparations", "protein powder": "food preparations",
	"moisturizer": "preparations for the care of the skin", "face cream": "preparations for the care of the skin",
	"lipstick": "lip make-up", "cologne": "toilet waters", "eau de toilette": "toilet waters", "fragrance": "perfumes",
	"laundry detergent": "washing preparations", "toothpaste": "dentifrices", "notepad": "letter pads, memorandum pads",
	"planner": "diaries", "novel": "books", "sweets": "sugar confectionery", "gummies": "sugar confectionery", "crackers": "bakers' wares",
	"soda": "waters containing added sugar", "soft drink": "waters containing added sugar", "soft drinks": "waters containing added sugar",
	"cola": "waters containing added sugar, flavored", "lager": "beer made from malt", "ale": "beer made from malt",
	"whiskey": "whiskies", "bourbon": "whiskies", "vaping liquid": "nicotine products for inhalation without combustion",
	"e-liquid": "nicotine products for inhalation without combustion", "vape juice": "nicotine products for inhalation without combustion",
	"vape pen":      "electronic cigarettes and personal electric vaporizing devices",
	"chicken parts": "cuts of fowls of the species Gallus domesticus", "chicken wings": "cuts of fowls of the species Gallus domesticus",
	"cheddar": "cheese", "peppercorns": "pepper of the genus Piper", "gasoline": "motor fuel", "petrol": "motor fuel",
	"lng": "natural gas, liquefied", "lumber": "wood sawn lengthwise", "softwood lumber": "coniferous wood sawn lengthwise",
	"parquet": "assembled flooring panels", "logs": "wood in the rough", "bracelet": "articles of jewelry",
	"rapid test": "diagnostic reagents", "bullets": "cartridges and projectiles", "digital piano": "keyboard instruments, electrically amplified",
	"artwork": "paintings executed by hand", "pets": "live mammals", "racehorse": "live horses, other than purebred breeding",
}

// TestAliasesPlausible checks issue 12 item 9: every alias names a line
// of the bundled schedule, and every name either shares a word with the
// text of that line (its description, path, HS text or the lines under
// it) or has a gloss in tradeNames that does.
func TestAliasesPlausible(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	as, err := loadAliases(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) < 100 {
		t.Fatalf("aliases: got %d codes, want at least 100", len(as))
	}
	used := map[string]bool{}
	for _, a := range as {
		l := ix.find(a.digits)
		ok := l != nil
		if !ok {
			t.Errorf("alias code %s is not a line of the bundled schedule", dotted(a.digits))
			continue
		}
		text := lineVocabulary(ix, l)
		for _, n := range a.names {
			if sharesStem(n, text) {
				continue
			}
			gloss, ok := tradeNames[strings.ToLower(n)]
			used[strings.ToLower(n)] = true
			switch {
			case !ok:
				t.Errorf("alias %q → %s shares no word with the line's text and has no gloss in tradeNames", n, l.Code)
			case !sharesStem(gloss, text):
				t.Errorf("alias %q → %s: gloss %q does not match the line's text %q", n, l.Code, gloss, l.Description)
			}
		}
	}
	for n := range tradeNames {
		if !used[n] {
			t.Errorf("tradeNames glosses %q, which no alias needs: remove it", n)
		}
	}
}

// TestAliasCorrections pins the corrections of issue 12 item 9.
func TestAliasCorrections(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	for _, c := range []struct{ name, code, not string }{
		{"racehorse", "0101.29", "0101.21"},
		{"gold bars", "7108.12", "7108.13"},
		{"needles medical", "9018.32", "9018.39"},
		// HS 2022 split 9401.30 into 9401.31 (of wood) and 9401.39 (other).
		{"office chair", "9401.39", "9401.71"},
		{"spray gun", "8424.20", "8424.89"},
		// The heading: petrol, diesel, hybrid and electric pickups differ by subheading.
		{"pickup truck", "8704", "8704.21"},
	} {
		if got := ix.Aliases(mustLookup(t, ix, c.code)); !containsFold(got, c.name) {
			t.Errorf("aliases of %s: got %q, want %q among them", c.code, got, c.name)
		}
		if got := ix.Aliases(mustLookup(t, ix, c.not)); containsFold(got, c.name) {
			t.Errorf("aliases of %s: got %q, want no %q", c.not, got, c.name)
		}
	}
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// lineVocabulary is the set of stems of a line's description, printed
// path, HS 2022 text and the texts of every line under it.
func lineVocabulary(ix *Index, l *Line) map[string]bool {
	st := map[string]bool{}
	add := func(s string) {
		for _, w := range tokenize(s) {
			st[w.stem] = true
			for _, p := range w.parts {
				st[p] = true
			}
		}
	}
	add(l.Description)
	add(l.HSDescription)
	for _, p := range l.Path {
		add(p)
	}
	for i := l.seq; int(i) < ix.Len(); i++ {
		m := ix.lines.line(i)
		if !strings.HasPrefix(m.Digits, l.Digits) {
			break
		}
		add(m.Description)
		add(m.HSDescription)
	}
	return st
}

func sharesStem(s string, vocab map[string]bool) bool {
	for _, w := range tokenize(s) {
		if vocab[w.stem] {
			return true
		}
		for _, p := range w.parts {
			if vocab[p] {
				return true
			}
		}
	}
	return false
}
