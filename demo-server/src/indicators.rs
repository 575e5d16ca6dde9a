//! Wilder's volatility and directional-movement arithmetic, period 14 by
//! default, as in J. Welles Wilder Jr., *New Concepts in Technical Trading
//! Systems* (1978), and as TA-Lib and StockCharts compute it:
//!
//! - TR (true range) = max(high − low, |high − previous close|, |low − previous close|).
//! - +DM = high − previous high when that is positive and larger than
//!   previous low − low, else 0; −DM is the mirror image.
//! - Wilder's smoothing of a sum (TR14, +DM14, −DM14): the first value is the
//!   plain sum of the first 14 inputs, then `S = S − S/14 + x`.
//! - +DI = 100 · +DM14 / TR14, −DI = 100 · −DM14 / TR14.
//! - DX = 100 · |+DI − −DI| / (+DI + −DI).
//! - ADX: the first value is the mean of the first 14 DX, then
//!   `ADX = (ADX_prev · 13 + DX) / 14` (Wilder's average).
//! - ATR: Wilder's average of TR, the first TR of a series being high − low
//!   (StockCharts' and Wilder's convention); `atr_pct` = ATR / close.
//!
//! Everything is incremental (one candle in, the new values out) so the
//! simulator can run it live. Degenerate input (zero ranges, equal DIs)
//! gives zeros, never NaN, and nothing here panics.

/// Wilder's running average: the first value is the mean of the first `n`
/// inputs, then `avg = (avg · (n − 1) + x) / n`.
#[derive(Clone, Debug)]
pub struct WilderAverage {
    n: usize,
    count: usize,
    sum: f64,
    value: Option<f64>,
}

impl WilderAverage {
    pub fn new(n: usize) -> Self {
        WilderAverage {
            n: n.max(1),
            count: 0,
            sum: 0.0,
            value: None,
        }
    }

    /// Adds one input; returns the average once `n` inputs have been seen.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        let n = self.n as f64;
        self.value = match self.value {
            Some(prev) => Some((prev * (n - 1.0) + x) / n),
            None => {
                self.count += 1;
                self.sum += x;
                (self.count == self.n).then(|| self.sum / n)
            }
        };
        self.value
    }

    pub fn value(&self) -> Option<f64> {
        self.value
    }
}

/// Wilder's running sum: the first value is the sum of the first `n`
/// inputs, then `sum = sum − sum / n + x`.
#[derive(Clone, Debug)]
pub struct WilderSum {
    n: usize,
    count: usize,
    value: f64,
    ready: bool,
}

impl WilderSum {
    pub fn new(n: usize) -> Self {
        WilderSum {
            n: n.max(1),
            count: 0,
            value: 0.0,
            ready: false,
        }
    }

    pub fn update(&mut self, x: f64) -> Option<f64> {
        if self.ready {
            self.value = self.value - self.value / self.n as f64 + x;
        } else {
            self.count += 1;
            self.value += x;
            self.ready = self.count == self.n;
        }
        self.ready.then_some(self.value)
    }
}

/// The true range of a candle; without a previous close it is high − low.
pub fn true_range(high: f64, low: f64, prev_close: Option<f64>) -> f64 {
    let hl = high - low;
    match prev_close {
        Some(pc) => hl.max((high - pc).abs()).max((low - pc).abs()),
        None => hl,
    }
}

/// Wilder's Average True Range. The first candle's TR is its high − low.
#[derive(Clone, Debug)]
pub struct Atr {
    avg: WilderAverage,
    prev_close: Option<f64>,
}

impl Atr {
    pub fn new(n: usize) -> Self {
        Atr {
            avg: WilderAverage::new(n),
            prev_close: None,
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let tr = true_range(high, low, self.prev_close);
        self.prev_close = Some(close);
        self.avg.update(tr)
    }

    pub fn value(&self) -> Option<f64> {
        self.avg.value()
    }
}

/// One candle's output of [`Dmi`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DmiValues {
    pub tr: f64,
    pub plus_dm: f64,
    pub minus_dm: f64,
    /// Wilder-smoothed TR14 (a sum, not an average).
    pub tr_n: f64,
    pub plus_dm_n: f64,
    pub minus_dm_n: f64,
    pub plus_di: f64,
    pub minus_di: f64,
    pub dx: f64,
    /// `None` for the first 2·n − 2 candles after the first DX.
    pub adx: Option<f64>,
}

/// Wilder's Directional Movement System: +DI, −DI, DX and ADX.
///
/// The first candle only sets the "previous" values; TR and DM start with the
/// second one, so the first DI comes with candle n + 1 (index n) and the first
/// ADX with candle 2n (index 2n − 1), as in TA-Lib.
#[derive(Clone, Debug)]
pub struct Dmi {
    prev: Option<(f64, f64, f64)>,
    tr: WilderSum,
    plus: WilderSum,
    minus: WilderSum,
    adx: WilderAverage,
}

impl Dmi {
    pub fn new(n: usize) -> Self {
        Dmi {
            prev: None,
            tr: WilderSum::new(n),
            plus: WilderSum::new(n),
            minus: WilderSum::new(n),
            adx: WilderAverage::new(n),
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<DmiValues> {
        let (ph, pl, pc) = self.prev.replace((high, low, close))?;
        let tr = true_range(high, low, Some(pc));
        let up = high - ph;
        let down = pl - low;
        let plus_dm = if up > down && up > 0.0 { up } else { 0.0 };
        let minus_dm = if down > up && down > 0.0 { down } else { 0.0 };
        let tr_n = self.tr.update(tr);
        let plus_n = self.plus.update(plus_dm);
        let minus_n = self.minus.update(minus_dm);
        let (Some(tr_n), Some(plus_dm_n), Some(minus_dm_n)) = (tr_n, plus_n, minus_n) else {
            return None;
        };
        let (plus_di, minus_di) = if tr_n > 0.0 {
            (100.0 * plus_dm_n / tr_n, 100.0 * minus_dm_n / tr_n)
        } else {
            (0.0, 0.0)
        };
        let sum = plus_di + minus_di;
        let dx = if sum > 0.0 {
            100.0 * (plus_di - minus_di).abs() / sum
        } else {
            0.0
        };
        let adx = self.adx.update(dx);
        Some(DmiValues {
            tr,
            plus_dm,
            minus_dm,
            tr_n,
            plus_dm_n,
            minus_dm_n,
            plus_di,
            minus_di,
            dx,
            adx,
        })
    }
}

/// The nearest-rank percentile (`p` in 0..=1) of a sample; `None` when empty.
pub fn percentile(values: impl IntoIterator<Item = f64>, p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = (p.clamp(0.0, 1.0) * v.len() as f64).ceil() as usize;
    Some(v[rank.saturating_sub(1).min(v.len() - 1)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close_rel(actual: f64, expected: f64, tol: f64) -> bool {
        let scale = expected.abs().max(1e-12);
        (actual - expected).abs() / scale <= tol
    }

    /// StockCharts' ADX worked example ("cs-adx.xls", the ChartSchool article
    /// "Average Directional Index (ADX)"), 14 periods, as exported with seven
    /// decimals in the `ta` Python library's test data
    /// (github.com/bukosabino/ta, test/data/cs-adx.csv). Columns: date, high,
    /// low, close, TR, +DM1, −DM1, TR14, +DM14, −DM14, +DI14, −DI14, DI diff,
    /// DI sum, DX, ADX. The values agree with TA-Lib's ADX/PLUS_DI/MINUS_DI
    /// (same seeding: first DI at index 14, first ADX at index 27).
    const CS_ADX: &str = "\
11-Feb-09,30.1983000,29.4072000,29.8720000,,,,,,,,,,,,
12-Feb-09,30.2776000,29.3182000,30.2381000,0.9594000,0.0000000,0.0890000,,,,,,,,,
13-Feb-09,30.4458000,29.9611000,30.0996000,0.4847000,0.1682000,0.0000000,,,,,,,,,
17-Feb-09,29.3478000,28.7443000,28.9028000,1.3553000,0.0000000,1.2168000,,,,,,,,,
18-Feb-09,29.3477000,28.5566000,28.9225000,0.7911000,0.0000000,0.1877000,,,,,,,,,
19-Feb-09,29.2886000,28.4081000,28.4775000,0.8805000,0.0000000,0.1485000,,,,,,,,,
20-Feb-09,28.8334000,28.0818000,28.5566000,0.7516000,0.0000000,0.3263000,,,,,,,,,
23-Feb-09,28.7346000,27.4289000,27.5576000,1.3057000,0.0000000,0.6529000,,,,,,,,,
24-Feb-09,28.6654000,27.6565000,28.4675000,1.1078000,0.0000000,0.0000000,,,,,,,,,
25-Feb-09,28.8532000,27.8345000,28.2796000,1.0187000,0.1878000,0.0000000,,,,,,,,,
26-Feb-09,28.6356000,27.3992000,27.4882000,1.2364000,0.0000000,0.4353000,,,,,,,,,
27-Feb-09,27.6761000,27.0927000,27.2310000,0.5834000,0.0000000,0.3065000,,,,,,,,,
02-Mar-09,27.2112000,26.1826000,26.3507000,1.0484000,0.0000000,0.9101000,,,,,,,,,
03-Mar-09,26.8651000,26.1332000,26.3309000,0.7319000,0.0000000,0.0494000,,,,,,,,,
04-Mar-09,27.4090000,26.6277000,27.0333000,1.0781000,0.5439000,0.0000000,13.3330000,0.8999000,4.3225000,6.7494187,32.4195605,25.6701418,39.1689792,65.5369179,
05-Mar-09,26.9441000,26.1332000,26.2221000,0.9001000,0.0000000,0.4945000,13.2807429,0.8356214,4.5082500,6.2919781,33.9457668,27.6537887,40.2377449,68.7259905,
06-Mar-09,26.5189000,25.4307000,26.0144000,1.0882000,0.0000000,0.7025000,13.4203184,0.7759342,4.8887321,5.7817867,36.4278403,30.6460536,42.2096270,72.6044170,
09-Mar-09,26.5189000,25.3518000,25.4605000,1.1671000,0.0000000,0.0789000,13.6288242,0.7205103,4.6184370,5.2866653,33.8872739,28.6006087,39.1739392,73.0092742,
10-Mar-09,27.0927000,25.8760000,27.0333000,1.6322000,0.5738000,0.0000000,14.2875368,1.2428453,4.2885486,8.6988073,30.0160112,21.3172039,38.7148185,55.0621305,
11-Mar-09,27.6860000,26.9640000,27.4487000,0.7220000,0.5933000,0.0000000,13.9889984,1.7473706,3.9822237,12.4910346,28.4668252,15.9757907,40.9578598,39.0054333,
12-Mar-09,28.4477000,27.1421000,28.3586000,1.3056000,0.7617000,0.0000000,14.2953842,2.3842584,3.6977792,16.6785194,25.8669450,9.1884256,42.5454644,21.5967217,
13-Mar-09,28.5267000,28.0123000,28.4278000,0.5144000,0.0790000,0.0000000,13.7886854,2.2929543,3.4336521,16.6292450,24.9019540,8.2727091,41.5311990,19.9192638,
16-Mar-09,28.6654000,27.8840000,27.9530000,0.7814000,0.1387000,0.0000000,13.5851793,2.2678718,3.1883912,16.6937202,23.4696294,6.7759092,40.1633496,16.8708767,
17-Mar-09,29.0116000,27.9928000,29.0116000,1.0586000,0.3462000,0.0000000,13.6734093,2.4520810,2.9606490,17.9332083,21.6526027,3.7193944,39.5858110,9.3957768,
18-Mar-09,29.8720000,28.7643000,29.3776000,1.1077000,0.8604000,0.0000000,13.8044372,3.1373323,2.7491741,22.7269847,19.9151478,2.8118369,42.6421324,6.5940345,
19-Mar-09,29.8028000,29.1402000,29.3576000,0.6626000,0.0000000,0.0000000,13.4810060,2.9132372,2.5528045,21.6099390,18.9363056,2.6736333,40.5462446,6.5940345,
20-Mar-09,29.7529000,28.7127000,28.9107000,1.0402000,0.0000000,0.4275000,13.5582770,2.7051488,2.7979613,19.9520101,20.6365552,0.6845451,40.5885653,1.6865467,
23-Mar-09,30.6546000,28.9290000,30.6149000,1.7439000,0.9017000,0.0000000,14.3337286,3.4136239,2.5981069,23.8153238,18.1258276,5.6894962,41.9411513,13.5654268,33.5833461
24-Mar-09,30.5951000,30.0304000,30.0502000,0.5845000,0.0000000,0.0000000,13.8943909,3.1697936,2.4125279,22.8134766,17.3633223,5.4501543,40.1767988,13.5654268,32.1534947
25-Mar-09,30.7635000,29.3863000,30.1890000,1.3772000,0.0000000,0.6441000,14.2791344,2.9433798,2.8843045,20.6131527,20.1994349,0.4137178,40.8125876,1.0137016,29.9292238
26-Mar-09,31.1698000,30.1365000,31.1202000,1.0333000,0.4063000,0.0000000,14.2924962,3.1394384,2.6782827,21.9656407,18.7390828,3.2265579,40.7047235,7.9267406,28.3576178
27-Mar-09,30.8923000,30.4267000,30.5356000,0.6935000,0.0000000,0.0000000,13.9651036,2.9151928,2.4869768,20.8748381,17.8085094,3.0663286,38.6833475,7.9267406,26.8982694
30-Mar-09,30.0402000,29.3467000,29.7827000,1.1889000,0.0000000,1.0800000,14.1564962,2.7069647,3.3893356,19.1217139,23.9419101,4.8201961,43.0636240,11.1931967,25.7764785
31-Mar-09,30.6645000,29.9906000,30.0402000,0.8818000,0.6243000,0.0000000,14.0271179,3.1379101,3.1472402,22.3703123,22.4368271,0.0665148,44.8071394,0.1484468,23.9459048
01-Apr-09,30.5951000,29.5152000,30.4861000,1.0799000,0.0000000,0.4754000,14.1050809,2.9137737,3.3978373,20.6576174,24.0894564,3.4318390,44.7470738,7.6694155,22.7832985
02-Apr-09,31.9724000,30.9418000,31.4670000,1.4863000,1.3773000,0.0000000,14.5838752,4.0829470,3.1551347,27.9963105,21.6344053,6.3619052,49.6307158,12.8184836,22.0715260
03-Apr-09,32.1011000,31.5364000,32.0515000,0.6341000,0.1287000,0.0000000,14.1762698,3.9200079,2.9297679,27.6518997,20.6667053,6.9851944,48.3186050,14.4565315,21.5275978
06-Apr-09,32.0317000,31.3580000,31.9724000,0.6935000,0.0000000,0.1784000,13.8571791,3.6400073,2.8988988,26.2680255,20.9198333,5.3481922,47.1878588,11.3338310,20.7994716
07-Apr-09,31.6255000,30.9220000,31.1302000,1.0504000,0.0000000,0.4360000,13.9177806,3.3800068,3.1278346,24.2855302,22.4736591,1.8118711,46.7591893,3.8748984,19.5905735
08-Apr-09,31.8534000,31.1994000,31.6551000,0.7232000,0.2279000,0.0000000,13.6468534,3.3664778,2.9044178,24.6685273,21.2826923,3.3858350,45.9512195,7.3683246,18.7175557
09-Apr-09,32.7055000,32.1308000,32.6360000,1.0504000,0.8521000,0.0000000,13.7224782,3.9781151,2.6969594,28.9897715,19.6535886,9.3361829,48.6433600,19.1931291,18.7515253
13-Apr-09,32.7648000,32.2298000,32.5866000,0.5350000,0.0593000,0.0000000,13.2773011,3.7532640,2.5043194,28.2682748,18.8616603,9.4066145,47.1299352,19.9588956,18.8377660
14-Apr-09,32.5766000,31.9724000,32.1903000,0.6142000,0.0000000,0.2574000,12.9431225,3.4851737,2.5828395,26.9268385,19.9553043,6.9715342,46.8821428,14.8703404,18.5543785
15-Apr-09,32.1308000,31.5562000,32.1011000,0.6341000,0.0000000,0.4162000,12.6527137,3.2362327,2.8145509,25.5773803,22.2446426,3.3327378,47.8220229,6.9690439,17.7268546
16-Apr-09,33.1215000,32.2101000,32.9335000,1.0204000,0.9907000,0.0000000,12.7693485,3.9957732,2.6135116,31.2919116,20.4670708,10.8248408,51.7589824,20.9139367,17.9545033
17-Apr-09,33.1909000,32.6262000,33.0027000,0.5647000,0.0694000,0.0000000,12.4219522,3.7797609,2.4268322,30.4280746,19.5366410,10.8914336,49.9647155,21.7982500,18.2290566
";

    fn field(cols: &[&str], i: usize) -> Option<f64> {
        cols.get(i)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<f64>().unwrap())
    }

    #[test]
    fn dmi_matches_the_stockcharts_adx_worksheet() {
        let mut dmi = Dmi::new(14);
        let mut checked_di = 0;
        let mut checked_adx = 0;
        for (i, line) in CS_ADX.lines().enumerate() {
            let c: Vec<&str> = line.split(',').collect();
            let (h, l, cl) = (
                field(&c, 1).unwrap(),
                field(&c, 2).unwrap(),
                field(&c, 3).unwrap(),
            );
            let out = dmi.update(h, l, cl);
            // The worksheet's TR/DM columns start on the second row.
            if i == 0 {
                assert!(out.is_none());
                continue;
            }
            if field(&c, 7).is_none() {
                assert!(out.is_none(), "row {i}: no DI expected yet");
                continue;
            }
            let v = out.unwrap_or_else(|| panic!("row {i}: DI expected"));
            // The raw inputs are given to 4 decimals: compare them absolutely.
            assert!((v.tr - field(&c, 4).unwrap()).abs() < 1e-9, "TR row {i}");
            assert!(
                (v.plus_dm - field(&c, 5).unwrap()).abs() < 1e-9,
                "+DM row {i}"
            );
            assert!(
                (v.minus_dm - field(&c, 6).unwrap()).abs() < 1e-9,
                "-DM row {i}"
            );
            for (name, actual, col) in [
                ("TR14", v.tr_n, 7),
                ("+DM14", v.plus_dm_n, 8),
                ("-DM14", v.minus_dm_n, 9),
                ("+DI", v.plus_di, 10),
                ("-DI", v.minus_di, 11),
                ("DX", v.dx, 14),
            ] {
                let expected = field(&c, col).unwrap();
                assert!(
                    close_rel(actual, expected, 1e-6),
                    "{name} row {i}: {actual} vs {expected}"
                );
            }
            checked_di += 1;
            match field(&c, 15) {
                Some(expected) => {
                    let adx = v.adx.unwrap_or_else(|| panic!("row {i}: ADX expected"));
                    assert!(
                        close_rel(adx, expected, 1e-6),
                        "ADX row {i}: {adx} vs {expected}"
                    );
                    checked_adx += 1;
                }
                None => assert!(v.adx.is_none(), "row {i}: no ADX expected yet"),
            }
        }
        assert_eq!(checked_di, 32);
        assert_eq!(checked_adx, 19);
    }

    /// StockCharts' ATR worked example ("cs-atr.xls", ChartSchool "Average
    /// True Range (ATR)"), 14 periods, as exported in the `ta` Python
    /// library's test data (github.com/bukosabino/ta, test/data/cs-atr.csv):
    /// high, low, close, expected TR, expected ATR (0 where none yet).
    #[allow(clippy::excessive_precision)] // the values as the source prints them
    const CS_ATR: &[(f64, f64, f64, f64, f64)] = &[
        (48.70, 47.79, 48.16, 0.910000000000004, 0.0),
        (48.72, 48.14, 48.61, 0.579999999999998, 0.0),
        (48.90, 48.39, 48.75, 0.509999999999998, 0.0),
        (48.87, 48.37, 48.63, 0.500000000000000, 0.0),
        (48.82, 48.24, 48.74, 0.579999999999998, 0.0),
        (49.05, 48.635, 49.03, 0.414999999999999, 0.0),
        (49.20, 48.94, 49.07, 0.260000000000005, 0.0),
        (49.35, 48.86, 49.32, 0.490000000000002, 0.0),
        (49.92, 49.50, 49.91, 0.600000000000001, 0.0),
        (50.19, 49.87, 50.13, 0.320000000000000, 0.0),
        (50.12, 49.20, 49.53, 0.930000000000000, 0.0),
        (49.66, 48.90, 49.50, 0.759999999999998, 0.0),
        (49.88, 49.43, 49.75, 0.450000000000003, 0.0),
        (50.19, 49.725, 50.03, 0.464999999999996, 0.555),
        (50.36, 49.26, 50.31, 1.100000000000000, 0.5939285714),
        (50.57, 50.09, 50.52, 0.479999999999997, 0.5857908163),
        (50.65, 50.30, 50.41, 0.350000000000001, 0.5689486152),
        (50.43, 49.21, 49.34, 1.220000000000000, 0.6154522855),
        (49.63, 48.98, 49.37, 0.650000000000006, 0.6179199794),
        (50.33, 49.61, 50.23, 0.960000000000001, 0.6423542666),
        (50.29, 49.20, 49.2375, 1.090000000000000, 0.6743289618),
        (50.17, 49.43, 49.93, 0.932500000000005, 0.6927697503),
        (49.32, 48.08, 48.43, 1.850000000000000, 0.7754290538),
        (48.50, 47.64, 48.18, 0.859999999999999, 0.7814698357),
        (48.3201, 41.55, 46.57, 6.770100000000000, 1.209229133),
        (46.80, 44.2833, 45.41, 2.516700000000000, 1.302619909),
        (47.80, 47.31, 47.77, 2.390000000000000, 1.380289916),
        (48.39, 47.20, 47.72, 1.190000000000000, 1.366697779),
        (48.66, 47.90, 48.62, 0.939999999999998, 1.336219366),
        (48.79, 47.7301, 47.85, 1.059900000000000, 1.316482269),
    ];

    #[test]
    fn atr_matches_the_stockcharts_atr_worksheet() {
        let mut atr = Atr::new(14);
        let mut prev_close = None;
        for (i, &(h, l, c, tr, expected)) in CS_ATR.iter().enumerate() {
            assert!(
                close_rel(true_range(h, l, prev_close), tr, 1e-9),
                "TR row {i}"
            );
            prev_close = Some(c);
            let got = atr.update(h, l, c);
            if expected == 0.0 {
                assert_eq!(got, None, "row {i}");
            } else {
                let got = got.unwrap();
                assert!(
                    close_rel(got, expected, 1e-6),
                    "ATR row {i}: {got} vs {expected}"
                );
            }
        }
    }

    #[test]
    fn wilder_average_and_sum_seed_then_smooth() {
        let mut a = WilderAverage::new(3);
        assert_eq!(a.update(1.0), None);
        assert_eq!(a.update(2.0), None);
        assert_eq!(a.update(3.0), Some(2.0));
        assert_eq!(a.update(5.0), Some((2.0 * 2.0 + 5.0) / 3.0));
        let mut s = WilderSum::new(3);
        assert_eq!(s.update(1.0), None);
        assert_eq!(s.update(2.0), None);
        assert_eq!(s.update(3.0), Some(6.0));
        assert_eq!(s.update(4.0), Some(6.0 - 2.0 + 4.0));
    }

    #[test]
    fn flat_candles_give_zeros_not_nan() {
        let mut dmi = Dmi::new(14);
        let mut atr = Atr::new(14);
        for _ in 0..60 {
            if let Some(v) = dmi.update(10.0, 10.0, 10.0) {
                assert_eq!((v.plus_di, v.minus_di, v.dx), (0.0, 0.0, 0.0));
                assert!(v.adx.is_none_or(|a| a == 0.0));
            }
            assert!(atr.update(10.0, 10.0, 10.0).is_none_or(|a| a == 0.0));
        }
    }

    #[test]
    fn percentile_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(v.iter().copied(), 0.9), Some(9.0));
        assert_eq!(percentile(v.iter().copied(), 1.0), Some(10.0));
        assert_eq!(percentile(v.iter().copied(), 0.0), Some(1.0));
        assert_eq!(percentile(std::iter::empty(), 0.5), None);
    }
}
