namespace XsFuzz.RealDaemons.Running;

public enum RunMode
{
    /// <summary>`real lu`: two fresh daemons of one kind; A performs every live update, B none.</summary>
    LiveUpdate,
    /// <summary>`real diff`: the real daemon against the model, both performing the live updates.</summary>
    Diff,
}
