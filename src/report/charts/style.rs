//! What every chart shares: the embedded font, sizes and colours, axes with ticks chosen here
//! (linear or log, labelled in the data's unit), panels with their caption and legend above
//! the plot (so a legend never covers data), and rendering one figure to both SVG and PNG.
//!
//! The font is DejaVu Sans from the `dejavu` crate (Bitstream Vera licence, see
//! `LICENSES/DejaVu.txt`), registered once with plotters' ab_glyph renderer, so drawing needs no
//! system font or library. Output is deterministic: ticks come from exact arithmetic, logs from
//! `libm`, the PNG encoder's settings are fixed, and nothing iterates a hash map.

use std::ops::Range;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::{FontDesc, FontFamily, FontStyle, register_font};

use super::Chart;
use crate::report::format::latency;

/// Every chart's width; heights vary with the number of panels.
pub const WIDTH_PX: u32 = 1200;
/// The height of one panel, caption and legend included.
pub const PANEL_HEIGHT_PX: u32 = 380;
/// The figure title's band.
const TITLE_HEIGHT_PX: u32 = 44;

/// The family name the font is registered under, which the SVG names as its font-family:
/// viewers with DejaVu Sans (or Verdana, of nearly the same widths) lay text out as the PNG.
const FONT: &str = "DejaVu Sans, Verdana, sans-serif";
const TITLE_FONT_PX: u32 = 24;
const CAPTION_FONT_PX: u32 = 19;
const LEGEND_FONT_PX: u32 = 16;
const TICK_FONT_PX: u32 = 15;
const AXIS_FONT_PX: u32 = 17;
/// Height of one row of caption and legend entries.
const LEGEND_ROW_PX: u32 = 26;
const Y_LABEL_AREA_PX: u32 = 86;
const X_LABEL_AREA_PX: u32 = 52;

/// Okabe and Ito's colour-blind-safe palette (yellow swapped for a grey that reads on white).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(0, 0, 0),
    RGBColor(120, 120, 120),
];
/// Limits and thresholds, dashed.
pub const LIMIT: RGBColor = RGBColor(60, 60, 60);
/// Faults, crashes and aborts.
pub const FAULT: RGBColor = RGBColor(200, 0, 40);
/// Blocked periods.
pub const BLOCKED: RGBColor = RGBColor(255, 196, 196);
/// The warm-up, left out of the run's figures.
pub const WARMUP: RGBColor = RGBColor(228, 228, 228);
const GRID: RGBColor = RGBColor(225, 225, 225);
const NOTE: RGBColor = RGBColor(110, 110, 110);

static FONTS: Once = Once::new();

/// The bold face. (`FontDesc::style` would keep the regular face's glyphs.)
fn bold(size_px: u32) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT), f64::from(size_px), FontStyle::Bold)
}

fn register_fonts() {
    FONTS.call_once(|| {
        let fonts = [
            (FontStyle::Normal, dejavu::sans::regular()),
            (FontStyle::Bold, dejavu::sans::bold()),
        ];
        for (style, bytes) in fonts {
            assert!(
                register_font(FONT, style, bytes).is_ok(),
                "the embedded DejaVu Sans font is a valid TrueType font"
            );
        }
    });
}

/// The result of drawing on one backend.
pub type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A picture of stacked panels, drawn the same way on any backend.
pub trait Figure {
    fn panel_count(&self) -> u32 {
        1
    }
    /// Draws into `panels` (as many as `panel_count`, top to bottom) below the title.
    fn draw<DB: DrawingBackend>(&self, panels: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB>;
}

/// Draws `figure` under `title` as SVG and as PNG.
pub fn render(name: &str, title: &str, figure: &impl Figure) -> Chart {
    register_fonts();
    let size = (
        WIDTH_PX,
        TITLE_HEIGHT_PX + figure.panel_count() * PANEL_HEIGHT_PX,
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw_page(&root, title, figure).expect("drawing SVG into memory does not fail");
    }
    let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        draw_page(&root, title, figure).expect("drawing into a pixel buffer does not fail");
    }
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        svg,
        png: encode_png(&pixels, size),
    }
}

/// A white page, the title, then the figure's panels.
fn draw_page<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    figure: &impl Figure,
) -> DrawResult<(), DB> {
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(TITLE_HEIGHT_PX);
    top.draw(&Text::new(title.to_string(), (16, 12), bold(TITLE_FONT_PX)))?;
    figure.draw(&body.split_evenly((figure.panel_count() as usize, 1)))?;
    root.present()
}

/// RGB pixels as a PNG, with fixed settings so equal pixels give equal bytes.
fn encode_png(pixels: &[u8], (width, height): (u32, u32)) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Default);
    encoder.set_filter(png::FilterType::Paeth);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
    let mut writer = encoder
        .write_header()
        .expect("a PNG header writes into memory");
    writer
        .write_image_data(pixels)
        .expect("pixels of the declared size encode");
    writer.finish().expect("a PNG finishes in memory");
    out
}

/// How an axis maps values to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Linear,
    /// Base-10 logarithm; values at or below zero are not drawn.
    Log,
}

/// How tick values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Plain numbers: 0, 2.5, 10, 1.5k.
    Number,
    /// Whole numbers (queue lengths, handlers, files): ticks never fall between them.
    Count,
    /// Bytes in the binary unit that suits the axis (the unit goes in the axis description).
    Bytes,
    /// Milliseconds, written as every latency is (`report::format::latency`): 500µs, 20ms, 2s.
    Millis,
    /// Simulated seconds, written as durations: 30s, 1m30s, 2m.
    Seconds,
}

/// One axis: its range and ticks in plot coordinates (the logarithm for a log axis), each tick
/// with its label. It implements plotters' `Ranged`, so plotters draws the ticks chosen here.
#[derive(Debug, Clone)]
pub struct Axis {
    pub scale: Scale,
    low: f64,
    high: f64,
    ticks: Vec<(f64, String)>,
    /// The axis description, unit included.
    pub description: String,
}

/// Largest tick count on a value axis and on the time axis.
const VALUE_TICKS_MAX: f64 = 7.0;
const TIME_TICKS_MAX: f64 = 11.0;

impl Axis {
    /// A linear axis from zero (or the data's minimum, if negative) to above the data's
    /// maximum, with round ticks.
    pub fn linear(values: impl IntoIterator<Item = f64>, unit: Unit, description: &str) -> Axis {
        let (mut low, mut high) = (0.0_f64, 0.0_f64);
        for value in values.into_iter().filter(|value| value.is_finite()) {
            low = low.min(value);
            high = high.max(value);
        }
        if high <= low {
            high = low + 1.0;
        }
        let (divisor, suffix) = unit_divisor(unit, high.max(-low));
        let mut step = nice_step((high - low) / divisor, VALUE_TICKS_MAX) * divisor;
        if unit == Unit::Count {
            step = step.max(1.0).round();
        }
        let low = (low / step).floor() * step;
        // Headroom, so the largest value does not sit on the frame.
        let high = ((high * 1.04) / step).ceil() * step;
        let mut ticks = Vec::new();
        let mut index = 0.0;
        loop {
            let value = low + index * step;
            if value > high + step * 1e-9 {
                break;
            }
            ticks.push((value, label(value, unit, divisor)));
            index += 1.0;
        }
        Axis {
            scale: Scale::Linear,
            low,
            high,
            ticks,
            description: with_suffix(description, suffix),
        }
    }

    /// A time axis over `0..end_s` seconds, ticks at round durations.
    pub fn time(end_s: f64) -> Axis {
        let end_s = if end_s > 0.0 { end_s } else { 1.0 };
        let step = TIME_STEPS_S
            .iter()
            .copied()
            .find(|step| end_s / step <= TIME_TICKS_MAX)
            .unwrap_or_else(|| nice_step(end_s, TIME_TICKS_MAX));
        let mut ticks = Vec::new();
        let mut index = 0.0;
        while index * step <= end_s * (1.0 + 1e-12) {
            ticks.push((index * step, label(index * step, Unit::Seconds, 1.0)));
            index += 1.0;
        }
        Axis {
            scale: Scale::Linear,
            low: 0.0,
            high: end_s,
            ticks,
            description: "simulated time".to_string(),
        }
    }

    /// A log axis over the positive values, ticks at 1, 2 and 5 of each decade (1 only, when
    /// the axis spans many decades).
    pub fn log(values: impl IntoIterator<Item = f64>, unit: Unit, description: &str) -> Axis {
        let (mut low, mut high) = (f64::INFINITY, 0.0_f64);
        for value in values
            .into_iter()
            .filter(|value| value.is_finite() && *value > 0.0)
        {
            low = low.min(value);
            high = high.max(value);
        }
        if !low.is_finite() {
            (low, high) = (1.0, 10.0);
        }
        let low_decade = libm::floor(libm::log10(low));
        let high_decade = libm::ceil(libm::log10(high * 1.05)).max(low_decade + 1.0);
        let sparse = high_decade - low_decade > 4.0;
        let mut candidates = Vec::new();
        let mut decade = low_decade;
        while decade <= high_decade {
            let mantissas: &[f64] = if sparse { &[1.0] } else { &[1.0, 2.0, 5.0] };
            for mantissa in mantissas {
                candidates.push(mantissa * libm::pow(10.0, decade));
            }
            decade += 1.0;
        }
        if unit == Unit::Millis {
            // Past ten seconds, ticks read better at round minutes and hours than at powers of ten.
            candidates.retain(|tick| *tick < 10_000.0);
            let long: &[f64] = if sparse {
                &[10e3, 60e3, 300e3, 600e3, 3600e3, 36000e3]
            } else {
                &[
                    10e3, 20e3, 60e3, 120e3, 300e3, 600e3, 1200e3, 3600e3, 7200e3, 36000e3,
                ]
            };
            candidates.extend_from_slice(long);
        }
        // Trim to the data: from the tick at or below the minimum to the one at or above the
        // maximum.
        let first = candidates
            .iter()
            .rposition(|tick| *tick <= low)
            .unwrap_or(0);
        let last = candidates
            .iter()
            .position(|tick| *tick >= high * 1.05)
            .unwrap_or(candidates.len() - 1);
        let ticks: Vec<(f64, String)> = candidates[first..=last]
            .iter()
            .map(|tick| (libm::log10(*tick), label(*tick, unit, 1.0)))
            .collect();
        Axis {
            scale: Scale::Log,
            low: ticks[0].0,
            high: ticks[ticks.len() - 1].0,
            ticks,
            description: format!("{description} (log scale)"),
        }
    }

    /// Log if the positive values span more than two decades, linear otherwise.
    pub fn auto(values: &[f64], unit: Unit, description: &str) -> Axis {
        let positive = values.iter().copied().filter(|value| *value > 0.0);
        let low = positive.clone().fold(f64::INFINITY, f64::min);
        let high = positive.fold(0.0, f64::max);
        if low.is_finite() && high / low > 100.0 {
            Axis::log(values.iter().copied(), unit, description)
        } else {
            Axis::linear(values.iter().copied(), unit, description)
        }
    }

    /// Ticks placed by the caller, in data units (a categorical axis, the percentile axis).
    pub fn with_ticks(range: Range<f64>, ticks: Vec<(f64, String)>, description: &str) -> Axis {
        Axis {
            scale: Scale::Linear,
            low: range.start,
            high: range.end,
            ticks,
            description: description.to_string(),
        }
    }

    /// A value's plot coordinate, `None` if it cannot be drawn (not finite, or not positive on
    /// a log axis). Values beyond the axis are clamped to its ends.
    pub fn position(&self, value: f64) -> Option<f64> {
        let coordinate = match self.scale {
            Scale::Linear => value,
            Scale::Log if value > 0.0 => libm::log10(value),
            Scale::Log => return None,
        };
        coordinate
            .is_finite()
            .then(|| coordinate.clamp(self.low, self.high))
    }

    pub fn low(&self) -> f64 {
        self.low
    }

    pub fn high(&self) -> f64 {
        self.high
    }

    /// The label of the tick at plot coordinate `coordinate`.
    fn label_at(&self, coordinate: f64) -> String {
        self.ticks
            .iter()
            .find(|(tick, _)| *tick == coordinate)
            .map(|(_, label)| label.clone())
            .unwrap_or_default()
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = (value - self.low) / (self.high - self.low);
        limit.0 + (fraction * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only the chosen ticks: no light grid lines between them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.iter().map(|(tick, _)| *tick).collect()
        }
    }

    fn range(&self) -> Range<f64> {
        self.low..self.high
    }
}

/// Time-axis steps, in seconds, that read as round durations.
const TIME_STEPS_S: [f64; 16] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
    21600.0, 43200.0,
];

/// The smallest of 1, 2, 2.5, 5 × 10^k that cuts `span` into at most `count` steps.
fn nice_step(span: f64, count: f64) -> f64 {
    let rough = span / count;
    let magnitude = libm::pow(10.0, libm::floor(libm::log10(rough)));
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|mantissa| mantissa * magnitude)
        .find(|step| span / step <= count)
        .unwrap_or(10.0 * magnitude)
}

/// For byte axes, the binary unit that suits the largest value, and its name.
fn unit_divisor(unit: Unit, largest: f64) -> (f64, &'static str) {
    if unit != Unit::Bytes {
        return (1.0, "");
    }
    let mut divisor = 1.0;
    for name in ["B", "KB", "MB", "GB"] {
        if largest < divisor * 1024.0 {
            return (divisor, name);
        }
        divisor *= 1024.0;
    }
    (divisor, "TB")
}

fn with_suffix(description: &str, suffix: &str) -> String {
    if suffix.is_empty() {
        description.to_string()
    } else {
        format!("{description} ({suffix})")
    }
}

/// A tick label: `value` (divided by `divisor` for bytes) in the unit's way.
pub fn label(value: f64, unit: Unit, divisor: f64) -> String {
    match unit {
        Unit::Number | Unit::Count | Unit::Bytes => short_number(value / divisor),
        Unit::Millis => latency(value),
        Unit::Seconds => {
            let total = value.round() as u64;
            let (minutes, seconds) = (total / 60, total % 60);
            match (minutes, seconds) {
                (0, seconds) => format!("{seconds}s"),
                (minutes, 0) => format!("{minutes}m"),
                (minutes, seconds) => format!("{minutes}m{seconds}s"),
            }
        }
    }
}

/// At most three significant digits, no trailing zeros, thousands as "k": 0.25, 12.5, 3k.
pub fn short_number(value: f64) -> String {
    if value.abs() >= 10_000.0 {
        return format!("{}k", short_number(value / 1000.0));
    }
    let text = if value.abs() >= 100.0 || value == value.round() {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else if value.abs() >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" { "0".to_string() } else { text }
}

/// How a series or marker looks in the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Line,
    Dashed,
    /// A shaded band or region.
    Band,
    /// A short vertical tick (flushes).
    Tick,
    /// A full-height vertical line (faults).
    Rule,
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct LegendEntry {
    pub label: String,
    pub colour: RGBColor,
    pub mark: Mark,
}

impl LegendEntry {
    pub fn new(label: impl Into<String>, colour: RGBColor, mark: Mark) -> LegendEntry {
        LegendEntry {
            label: label.into(),
            colour,
            mark,
        }
    }
}

/// A plot: a chart context over two `Axis`es.
pub type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// What a panel shows: its caption, axes and legend (entries, then grey notes).
#[derive(Debug)]
pub struct PanelSpec<'s> {
    pub caption: &'s str,
    pub x: Axis,
    pub y: Axis,
    pub legend: Vec<LegendEntry>,
    /// Said after the legend in grey: "compactions are not modelled in this run".
    pub notes: Vec<String>,
}

/// Draws a panel's caption, legend, frame, grid and tick labels; returns the plot to draw
/// series on.
pub fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    spec: PanelSpec<'_>,
) -> DrawResult<Plot<'a, DB>, DB> {
    let legend_height = legend(area, spec.caption, &spec.legend, &spec.notes)?;
    let mut chart = ChartBuilder::on(area)
        .margin_top(legend_height + 4)
        .margin_right(44)
        .margin_left(8)
        .margin_bottom(4)
        .x_label_area_size(X_LABEL_AREA_PX)
        .y_label_area_size(Y_LABEL_AREA_PX)
        .build_cartesian_2d(spec.x.clone(), spec.y.clone())?;
    let x_format = |value: &f64| spec.x.label_at(*value);
    let y_format = |value: &f64| spec.y.label_at(*value);
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .axis_style(LIMIT)
        .label_style((FONT, TICK_FONT_PX))
        .axis_desc_style((FONT, AXIS_FONT_PX))
        .x_desc(spec.x.description.clone())
        .y_desc(spec.y.description.clone())
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .x_labels(spec.x.ticks.len())
        .y_labels(spec.y.ticks.len())
        .draw()?;
    Ok(chart)
}

/// The caption and the legend rows at the top of `area`; returns their height.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    entries: &[LegendEntry],
    notes: &[String],
) -> DrawResult<u32, DB> {
    let width = area.dim_in_pixel().0 as i32;
    let caption_font: TextStyle<'_> = bold(CAPTION_FONT_PX).into();
    let entry_font: TextStyle<'_> = (FONT, LEGEND_FONT_PX).into_font().into();
    let note_font = (FONT, LEGEND_FONT_PX).into_font().color(&NOTE);
    let left = Y_LABEL_AREA_PX as i32 - 40;
    area.draw(&Text::new(
        caption.to_string(),
        (left, 6),
        caption_font.clone(),
    ))?;
    let (caption_width, _) = area.estimate_text_size(caption, &caption_font)?;
    let swatch = 26;
    let mut x = left + caption_width as i32 + 24;
    let mut row = 0;
    let mut place = |item_width: i32| {
        if x + item_width > width - 20 {
            row += 1;
            x = left;
        }
        let at = (x, 6 + row * LEGEND_ROW_PX as i32);
        x += item_width + 22;
        at
    };
    for entry in entries {
        let (text_width, _) = area.estimate_text_size(&entry.label, &entry_font)?;
        let (x0, y0) = place(swatch + 6 + text_width as i32);
        let middle = y0 + 10;
        let colour = entry.colour;
        match entry.mark {
            Mark::Line => area.draw(&PathElement::new(
                vec![(x0, middle), (x0 + swatch, middle)],
                colour.stroke_width(3),
            ))?,
            Mark::Dashed => {
                for dash in 0..3 {
                    let start = x0 + dash * 10;
                    area.draw(&PathElement::new(
                        vec![(start, middle), (start + 6, middle)],
                        colour.stroke_width(2),
                    ))?;
                }
            }
            Mark::Band => area.draw(&Rectangle::new(
                [(x0, middle - 7), (x0 + swatch, middle + 7)],
                colour.filled(),
            ))?,
            Mark::Tick => area.draw(&PathElement::new(
                vec![(x0 + swatch / 2, middle - 8), (x0 + swatch / 2, middle + 8)],
                colour.stroke_width(2),
            ))?,
            Mark::Rule => area.draw(&PathElement::new(
                vec![
                    (x0 + swatch / 2, middle - 10),
                    (x0 + swatch / 2, middle + 10),
                ],
                colour.stroke_width(2),
            ))?,
        }
        area.draw(&Text::new(
            entry.label.clone(),
            (x0 + swatch + 6, y0 + 2),
            entry_font.clone(),
        ))?;
    }
    for note in notes {
        let (text_width, _) = area.estimate_text_size(note, &note_font)?;
        let at = place(text_width as i32);
        area.draw(&Text::new(
            note.clone(),
            (at.0, at.1 + 2),
            note_font.clone(),
        ))?;
    }
    Ok((row as u32 + 1) * LEGEND_ROW_PX + 6)
}

/// A line through `points` (data units), broken where a point cannot be drawn.
pub fn line<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    points: impl IntoIterator<Item = (f64, f64)>,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    for segment in segments(plot, points) {
        plot.draw_series(std::iter::once(PathElement::new(segment, style)))?;
    }
    Ok(())
}

/// A dashed line through `points` (data units), for limits.
pub fn dashed<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    points: impl IntoIterator<Item = (f64, f64)>,
    colour: RGBColor,
) -> DrawResult<(), DB> {
    for segment in segments(plot, points) {
        plot.draw_series(DashedLineSeries::new(segment, 9, 6, colour.stroke_width(2)))?;
    }
    Ok(())
}

/// The drawable runs of `points`, in plot coordinates.
fn segments<DB: DrawingBackend>(
    plot: &Plot<'_, DB>,
    points: impl IntoIterator<Item = (f64, f64)>,
) -> Vec<Vec<(f64, f64)>> {
    let coordinates = plot.as_coord_spec();
    let (x_axis, y_axis) = (coordinates.x_spec(), coordinates.y_spec());
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (x, y) in points {
        match x_axis.position(x).zip(y_axis.position(y)) {
            Some(point) => runs.last_mut().expect("never empty").push(point),
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|run| !run.is_empty());
    runs
}

/// Full-height vertical lines at `xs` (faults), one element per distinct pixel column.
pub fn rules<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    xs: &[f64],
    colour: RGBColor,
) -> DrawResult<(), DB> {
    let (low, high) = {
        let y_axis = plot.as_coord_spec().y_spec();
        (y_axis.low(), y_axis.high())
    };
    for x in distinct_columns(plot, xs) {
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(x, low), (x, high)],
            colour.stroke_width(2),
        )))?;
    }
    Ok(())
}

/// Which edge of the plot ticks stand on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Bottom,
    Top,
}

/// Short ticks at `xs` along an edge of the plot (flushes), at most one per pixel column.
pub fn ticks<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    xs: &[f64],
    colour: RGBColor,
    edge: Edge,
) -> DrawResult<(), DB> {
    let (low, high) = {
        let y_axis = plot.as_coord_spec().y_spec();
        (y_axis.low(), y_axis.high())
    };
    let length = (high - low) * 0.05;
    let (from, to) = match edge {
        Edge::Bottom => (low, low + length),
        Edge::Top => (high - length, high),
    };
    let columns = distinct_columns(plot, xs);
    plot.draw_series(
        columns
            .into_iter()
            .map(|x| PathElement::new(vec![(x, from), (x, to)], colour.stroke_width(1))),
    )?;
    Ok(())
}

/// `xs` within the x axis, deduplicated to one per pixel column, in order.
fn distinct_columns<DB: DrawingBackend>(plot: &Plot<'_, DB>, xs: &[f64]) -> Vec<f64> {
    let x_axis = plot.as_coord_spec().x_spec();
    let width_px = f64::from(plot.plotting_area().dim_in_pixel().0.max(1));
    let per_px = (x_axis.high() - x_axis.low()) / width_px;
    let mut columns: Vec<f64> = Vec::new();
    let mut sorted: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    for x in sorted {
        if x < x_axis.low() || x > x_axis.high() {
            continue;
        }
        if columns.last().is_none_or(|last| x - last >= per_px) {
            columns.push(x);
        }
    }
    columns
}

/// Shades the full height of the plot over each `[start, end)` interval.
pub fn shade<DB: DrawingBackend>(
    plot: &mut Plot<'_, DB>,
    intervals: &[(f64, f64)],
    colour: RGBColor,
) -> DrawResult<(), DB> {
    let (low, high) = {
        let y_axis = plot.as_coord_spec().y_spec();
        (y_axis.low(), y_axis.high())
    };
    plot.draw_series(
        intervals
            .iter()
            .map(|(start, end)| Rectangle::new([(*start, low), (*end, high)], colour.filled())),
    )?;
    Ok(())
}

/// A grey sentence in the middle of the plot, for a panel with nothing to draw.
pub fn note<DB: DrawingBackend>(plot: &mut Plot<'_, DB>, text: &str) -> DrawResult<(), DB> {
    let area = plot.plotting_area().strip_coord_spec();
    let (width, height) = area.dim_in_pixel();
    let font = (FONT, CAPTION_FONT_PX).into_font().color(&NOTE);
    let (text_width, _) = area.estimate_text_size(text, &font)?;
    area.draw(&Text::new(
        text.to_string(),
        (
            (width as i32 - text_width as i32) / 2,
            height as i32 / 2 - 10,
        ),
        font,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ticks are round numbers that cover the data: 0–6.5 GB in 1 GB steps, with the unit in
    // the description.
    #[test]
    fn linear_ticks_are_round() {
        let axis = Axis::linear([6.5 * (1u64 << 30) as f64], Unit::Bytes, "heap");
        assert_eq!(axis.description, "heap (GB)");
        let labels: Vec<&str> = axis.ticks.iter().map(|(_, label)| label.as_str()).collect();
        assert_eq!(labels, ["0", "1", "2", "3", "4", "5", "6", "7"]);
        let counts = Axis::linear([0.0, 30.0], Unit::Number, "handlers");
        let labels: Vec<&str> = counts
            .ticks
            .iter()
            .map(|(_, label)| label.as_str())
            .collect();
        assert_eq!(labels, ["0", "5", "10", "15", "20", "25", "30", "35"]);
    }

    // A 10-minute run gets a tick every minute, 90 s one every 10 s, written as durations.
    #[test]
    fn time_ticks_are_durations() {
        let axis = Axis::time(600.0);
        assert_eq!(axis.ticks.len(), 11);
        assert_eq!(axis.ticks[1].1, "1m");
        assert_eq!(axis.ticks[10].1, "10m");
        let short = Axis::time(90.0);
        let labels: Vec<&str> = short
            .ticks
            .iter()
            .map(|(_, label)| label.as_str())
            .collect();
        assert_eq!(
            labels,
            [
                "0s", "10s", "20s", "30s", "40s", "50s", "1m", "1m10s", "1m20s", "1m30s"
            ]
        );
    }

    // A log axis from 20 ms to 3 s ticks at 1-2-5 and writes seconds past 1000 ms; zero has
    // no position on it. One over many decades ticks at powers of ten, then round minutes.
    #[test]
    fn log_ticks_are_one_two_five() {
        let axis = Axis::log([20.0, 3000.0, 0.0], Unit::Millis, "latency");
        let labels: Vec<&str> = axis.ticks.iter().map(|(_, label)| label.as_str()).collect();
        assert_eq!(
            labels,
            ["20ms", "50ms", "100ms", "200ms", "500ms", "1s", "2s", "5s"]
        );
        assert_eq!(axis.position(0.0), None);
        assert_eq!(axis.position(100.0), Some(2.0));
        // Labels are latencies as every output writes them: microseconds below a millisecond,
        // seconds (not minutes) past a minute.
        let wide = Axis::log([0.2, 120_000.0], Unit::Millis, "latency");
        let labels: Vec<&str> = wide.ticks.iter().map(|(_, label)| label.as_str()).collect();
        assert_eq!(
            labels,
            ["100µs", "1ms", "10ms", "100ms", "1s", "10s", "60s", "300s"]
        );
    }

    // Three significant digits at most, no trailing zeros, "k" from ten thousand, no "-0".
    #[test]
    fn short_numbers() {
        assert_eq!(short_number(0.25), "0.25");
        assert_eq!(short_number(12.5), "12.5");
        assert_eq!(short_number(3.0), "3");
        assert_eq!(short_number(25_000.0), "25k");
        assert_eq!(short_number(-0.0), "0");
    }
}
