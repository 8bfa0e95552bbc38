public class Smoke { [Fact] public void Builds() => Assert.NotNull(new XsFuzz.Xenstore.Xenstored().Config); }
