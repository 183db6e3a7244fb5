//! The report as one HTML file: the Markdown report rendered (CommonMark
//! with tables, by `pulldown-cmark`), each chart it links to drawn inline,
//! and a little CSS, so that a person can open or mail one file and see
//! everything, with nothing fetched from anywhere.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// The stylesheet: readable tables and figures, nothing fetched.
const STYLE: &str = "body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;line-height:1.4;color:#222}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.25em .6em}\
th{background:#f4f4f4}td:not(:first-child){font-variant-numeric:tabular-nums}\
.chart svg{max-width:100%;height:auto}.caption{color:#555;font-size:.9em}code{background:#f4f4f4;padding:0 .2em}";

/// `markdown` as a whole HTML document titled `title`. An image whose
/// target `chart` knows (a chart's file name, such as
/// `leadgen-insurance.cost.svg`) is drawn inline as that SVG, its alt text
/// the caption; any other image stays a link to its file.
pub fn report_html<'a>(
    markdown: &str,
    title: &str,
    chart: impl Fn(&str) -> Option<&'a str>,
) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES);
    let mut events: Vec<Event> = Vec::new();
    // Inside an image drawn inline: its alt text, gathered for the caption.
    let mut caption: Option<String> = None;
    for event in parser {
        match (&mut caption, event) {
            (None, Event::Start(Tag::Image { dest_url, .. })) => match chart(&dest_url) {
                Some(svg) => {
                    // Phrasing content, as the paragraph it stands in asks.
                    let open = format!("<span class=\"chart\">{}<br>", svg.trim_end());
                    events.push(Event::InlineHtml(CowStr::from(open)));
                    caption = Some(String::new());
                }
                None => events.push(Event::Start(Tag::Image {
                    link_type: pulldown_cmark::LinkType::Inline,
                    dest_url,
                    title: CowStr::from(""),
                    id: CowStr::from(""),
                })),
            },
            (Some(text), Event::End(TagEnd::Image)) => {
                let close = format!("<span class=\"caption\">{}</span></span>", escape(text));
                events.push(Event::InlineHtml(CowStr::from(close)));
                caption = None;
            }
            (Some(text), Event::Text(t) | Event::Code(t) | Event::InlineHtml(t)) => {
                text.push_str(&t)
            }
            (Some(_), _) => {}
            (None, event) => events.push(event),
        }
    }
    let mut body = String::new();
    html::push_html(&mut body, events.into_iter());
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_drawn_inline_and_tables_rendered() {
        let md = "# Plan & cost\n\n| a | b |\n|---|---:|\n| x | 1 |\n\n![Cost <by> tier](p.cost.svg)\n\n![Elsewhere](other.png)\n";
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>\n";
        let html = report_html(md, "p <plan>", |name| (name == "p.cost.svg").then_some(svg));
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>p &lt;plan&gt;</title>"));
        assert!(html.contains("<h1>Plan &amp; cost</h1>"));
        assert!(
            html.contains("<table>") && html.contains("<td style=\"text-align: right\">1</td>")
        );
        assert!(html.contains(
            "<p><span class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg><br><span class=\"caption\">Cost &lt;by&gt; tier</span></span></p>"
        ), "{html}");
        // A file it does not hold stays a link; nothing of the chart's alt leaks.
        assert!(html.contains("<img src=\"other.png\" alt=\"Elsewhere\""));
        assert!(!html.contains("p.cost.svg"));
    }
}
