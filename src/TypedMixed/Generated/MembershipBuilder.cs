namespace TypedMixed.Generated;

/// <summary>
/// Collects the records' <see cref="Membership{TKey}"/> lists of a <c>[MultipleMembership]</c> member for a generated
/// design encoder and assembles the multiple-membership term (compressed rows, see <see cref="Memberships"/>).
/// Every check names the input record (its 0-based position in the data) and the member.
/// </summary>
/// <typeparam name="TKey">The membership's key type.</typeparam>
public sealed class MembershipBuilder<TKey> where TKey : notnull
{
    private readonly string _member;
    private readonly MembershipWeighting _weighting;
    private readonly List<int> _rowStart;
    private readonly List<TKey> _keys = [];
    private readonly List<double> _weights = [];
    private readonly HashSet<TKey> _distinct;
    private readonly HashSet<TKey> _row;

    /// <summary>Creates a builder for <paramref name="member"/>, expecting about <paramref name="capacity"/> records.</summary>
    public MembershipBuilder(int capacity, string member, MembershipWeighting weighting, IEqualityComparer<TKey>? equality = null)
    {
        _member = member;
        _weighting = weighting;
        _rowStart = new List<int>(capacity + 1) { 0 };
        _distinct = new HashSet<TKey>(equality);
        _row = new HashSet<TKey>(equality);
    }

    /// <summary>
    /// Records the memberships of the next kept row, read from input record <paramref name="record"/>.
    /// </summary>
    /// <exception cref="ModelDesignException">
    /// The list is empty, a level is null or listed twice, a weight is negative or not finite, or (with
    /// <see cref="MembershipWeighting.SumToOne"/>) the weights do not sum to 1 within 1e-6.
    /// </exception>
    public void Add(IEnumerable<Membership<TKey>> memberships, int record)
    {
        ArgumentNullException.ThrowIfNull(memberships);
        _row.Clear();
        double sum = 0;
        foreach (var m in memberships)
        {
            if (m.Level is null)
                throw new ModelDesignException($"Record {record}: '{_member}' lists a membership without a level.", _member, record);
            if (!_row.Add(m.Level))
                throw new ModelDesignException($"Record {record}: '{_member}' lists the level '{LevelText.Of(m.Level)}' twice; give each level once with its total weight.", _member, record);
            if (!double.IsFinite(m.Weight) || m.Weight < 0)
                throw new ModelDesignException($"Record {record}: '{_member}' gives the level '{LevelText.Of(m.Level)}' the weight {m.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture)}; weights must be finite and ≥ 0.", _member, record);
            _keys.Add(m.Level);
            _weights.Add(m.Weight);
            sum += m.Weight;
        }
        if (_row.Count == 0)
            throw new ModelDesignException($"Record {record}: '{_member}' is empty; every record needs at least one membership (a null list drops the record).", _member, record);
        if (_weighting == MembershipWeighting.SumToOne && Math.Abs(sum - 1) > 1e-6)
            throw new ModelDesignException($"Record {record}: the weights of '{_member}' sum to {sum.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, not 1; fix the data or declare [MultipleMembership(Weighting = MembershipWeighting.Normalize)].", _member, record);
        if (_weighting == MembershipWeighting.Normalize && !(sum > 0))
            throw new ModelDesignException($"Record {record}: the weights of '{_member}' sum to 0, so they cannot be normalized.", _member, record);
        foreach (var key in _row) _distinct.Add(key);
        _rowStart.Add(_keys.Count);
    }

    /// <summary>The distinct levels seen, sorted by <paramref name="order"/>.</summary>
    public LevelSet<TKey> Levels(IComparer<TKey> order, Func<TKey, string> format) => new(_distinct, order, format);

    /// <summary>
    /// The multiple-membership term over <paramref name="levels"/> with the term's (unweighted) <paramref name="columns"/>;
    /// the runtime multiplies each row's columns by its weights. A level missing from <paramref name="levels"/> (only
    /// possible when coding new data against a fit) is a <see cref="ModelDesignException"/>.
    /// </summary>
    public RandomEffectsTerm Term(string name, LevelSet<TKey> levels, ModelMatrixBuilder columns, CovarianceStructure covariance)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(columns);
        var level = new int[_keys.Count];
        for (int e = 0; e < level.Length; e++)
            if (!levels.TryGetIndex(_keys[e], out level[e]))
                throw new ModelDesignException($"'{_member}' has the level '{LevelText.Of(_keys[e])}', which was not in the data the model was fitted to.", _member);
        return new RandomEffectsTerm
        {
            Name = name,
            Memberships = new Memberships { RowStart = [.. _rowStart], Level = level, Weight = [.. _weights], Weighting = _weighting },
            LevelKeys = levels.Names,
            ColumnNames = columns.Names,
            Columns = columns.ToColumnMajor(),
            Covariance = covariance,
        };
    }
}
