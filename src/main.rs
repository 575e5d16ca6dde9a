fn main() {
    regime_dashboard::mount();
}
