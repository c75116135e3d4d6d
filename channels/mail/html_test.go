package mail

import "testing"

func TestHTMLToText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"paragraphs and breaks", "<p>One<br>Two</p><p>Three</p>", "One\nTwo\n\nThree"},
		{"entities", "Fish &amp; chips &lt;3 &eacute;t&eacute; &#8364;5&nbsp;now", "Fish & chips <3 été €5 now"},
		{"script style and comments dropped", "<style>b{}</style>A<script>var x = '<p>';</script><!-- c -->B", "AB"},
		{"whitespace collapsed", "  lots   of\n\n  space  ", "lots of space"},
		{"links keep their text", `Go <a href="https://x.example/very/long">here</a> now`, "Go here now"},
		{"lists", "<ul><li>a</li><li>b<ol><li>c</li><li>d</li></ol></li></ul>", "- a\n- b\n  1. c\n  2. d"},
		{"table cells", "<table><tr><td>Item</td><td>Price</td></tr><tr><td>Lamp</td><td>12</td></tr></table>", "Item Price\nLamp 12"},
		{"pre keeps layout", "<pre>a  b\n  c</pre>after", "a  b\n  c\n\nafter"},
		{"blockquote quoted", "Reply<blockquote>Old<br><br>text<blockquote>older</blockquote></blockquote>", "Reply\n> Old\n>\n> text\n> > older"},
		{"inline elements join", "<b>bold</b><i>italic</i> <span>span</span>", "bolditalic span"},
		{"unclosed tags", "<div><p>open <b>bold", "open bold"},
		{"outlook paragraphs", `<p class="MsoNormal">line 1</p><p class="MsoNormal">line 2</p>`, "line 1\nline 2"},
		{"invisible characters", "a\u200bb\ufeffc\u00add", "abcd"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := htmlToText(tt.in); got != tt.want {
				t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMetaCharset(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">`, "windows-1252"},
		{`<meta charset="utf-8">`, "utf-8"},
		{`<p>no meta</p>`, ""},
	}
	for _, tt := range tests {
		if got := metaCharset([]byte(tt.in)); got != tt.want {
			t.Errorf("metaCharset(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
