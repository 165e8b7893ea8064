fn main() {
    println!("shenbao");
}
