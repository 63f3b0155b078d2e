namespace Kiln.Model
{
    /// <summary>The scalar types kernel code works on; each is the C# type of the same name.</summary>
    public enum ScalarType
    {
        Bool,
        SByte,
        Byte,
        Short,
        UShort,
        Int,
        UInt,
        Long,
        ULong,
        Float,
        Double,
    }

    /// <summary>Unary operators. Unary plus is dropped during translation (it is the identity after promotion).</summary>
    public enum KUnaryOp
    {
        /// <summary><c>-x</c>: two's-complement wrap for integers (unchecked), sign flip for floats (-0.0 from 0.0).</summary>
        Negate,
        /// <summary><c>~x</c> on an integer.</summary>
        BitNot,
        /// <summary><c>!x</c> on a bool.</summary>
        LogicalNot,
    }

    /// <summary>
    /// Binary operators, with C# semantics on the operands' (equal, already converted) type: integer arithmetic wraps
    /// (unchecked), integer division truncates toward zero, float <c>%</c> is <c>fmod</c>, shifts take an <c>int</c>
    /// count that the translator has already masked (<c>&amp; 31</c> or <c>&amp; 63</c>) as C# does.
    /// </summary>
    public enum KBinaryOp
    {
        Add,
        Subtract,
        Multiply,
        Divide,
        Remainder,
        BitAnd,
        BitOr,
        BitXor,
        ShiftLeft,
        /// <summary><c>&gt;&gt;</c>: arithmetic on signed operands, logical on unsigned ones.</summary>
        ShiftRight,
        /// <summary><c>&gt;&gt;&gt;</c>: always logical.</summary>
        UnsignedShiftRight,
        Equal,
        NotEqual,
        Less,
        LessOrEqual,
        Greater,
        GreaterOrEqual,
        /// <summary><c>&amp;&amp;</c> (short-circuit; kernel expressions have no side effects, so only speed depends on it).</summary>
        LogicalAnd,
        /// <summary><c>||</c>.</summary>
        LogicalOr,
    }

    /// <summary>How a kernel or helper parameter receives its value.</summary>
    public enum KParameterKind
    {
        /// <summary>A scalar: one element of a stream, a uniform input, or a helper argument.</summary>
        Scalar,
        /// <summary>A <c>Gather&lt;T&gt;</c>: random read access to a whole stream; <see cref="KParameter.Type"/> is T.</summary>
        Gather,
        /// <summary>An <c>[Index] int</c>: the element index.</summary>
        Index,
    }

    /// <summary>
    /// An expression of kernel code. Expressions have no side effects (assignments and <c>++</c>/<c>--</c> are statements),
    /// and every operand already has the type its operator works on: implicit conversions are explicit <see cref="KCast"/>s.
    /// </summary>
    /// <param name="Type">The C# type of the expression after its own conversions.</param>
    public abstract record KExpr(ScalarType Type);

    /// <summary>
    /// A constant. <paramref name="Value"/> is an invariant literal without suffix: <c>true</c>/<c>false</c>, a decimal
    /// integer, or a round-trip float (<c>2.5</c>, <c>1E-07</c>) with the specials <c>NaN</c>, <c>Infinity</c>,
    /// <c>-Infinity</c> and <c>-0</c>. <paramref name="Bits"/> is exact: the IEEE 754 bit pattern of a float or double
    /// (NaN payload included), the two's-complement bits of an integer, 1 or 0 for a bool.
    /// </summary>
    public sealed record KConstant(ScalarType Type, string Value, ulong Bits) : KExpr(Type);

    /// <summary>A read of scalar or index parameter <paramref name="Index"/> of the enclosing body.</summary>
    public sealed record KParameterRef(ScalarType Type, int Index) : KExpr(Type);

    /// <summary>A gather parameter passed on whole as a helper argument; <see cref="KExpr.Type"/> is its element type.</summary>
    public sealed record KGatherRef(ScalarType Type, int Index) : KExpr(Type);

    /// <summary>A read of a local. Names are the C# identifiers (without <c>@</c>); emitters mangle them.</summary>
    public sealed record KLocalRef(ScalarType Type, string Name) : KExpr(Type);

    /// <summary>A unary operation on an operand of the same type (bool for <see cref="KUnaryOp.LogicalNot"/>).</summary>
    public sealed record KUnary(ScalarType Type, KUnaryOp Op, KExpr Operand) : KExpr(Type);

    /// <summary>
    /// A binary operation. Both operands have one type, the operator's (for shifts: the left operand's type, the count
    /// is <c>int</c>); <see cref="KExpr.Type"/> is that type, or <see cref="ScalarType.Bool"/> for comparisons.
    /// </summary>
    public sealed record KBinary(ScalarType Type, KBinaryOp Op, KExpr Left, KExpr Right) : KExpr(Type);

    /// <summary><c>c ? a : b</c>; both branches have <see cref="KExpr.Type"/>.</summary>
    public sealed record KConditional(ScalarType Type, KExpr Condition, KExpr WhenTrue, KExpr WhenFalse) : KExpr(Type);

    /// <summary>
    /// A numeric conversion to <see cref="KExpr.Type"/>, with C# (unchecked, .NET 9+) semantics: integers truncate or
    /// sign/zero-extend; float to integer truncates toward zero and saturates, NaN giving 0; to float rounds to nearest even.
    /// </summary>
    public sealed record KCast(ScalarType Type, KExpr Operand) : KExpr(Type);

    /// <summary>A call of a <see cref="KnownMathFunctions"/> entry by its canonical name (e.g. <c>MathF.Sqrt</c>).</summary>
    public sealed record KMathCall(ScalarType Type, string Function, EquatableArray<KExpr> Arguments) : KExpr(Type);

    /// <summary>A call of helper <paramref name="Helper"/> (a <see cref="KernelBody.Name"/> in the same program).</summary>
    public sealed record KHelperCall(ScalarType Type, string Helper, EquatableArray<KExpr> Arguments) : KExpr(Type);

    /// <summary>
    /// <c>g[i]</c> on gather parameter <paramref name="Parameter"/>; <paramref name="Index"/> is an <c>int</c> that devices
    /// clamp to <c>[0, Length)</c>.
    /// </summary>
    public sealed record KGatherLoad(ScalarType Type, int Parameter, KExpr Index) : KExpr(Type);

    /// <summary><c>g.Length</c> on gather parameter <paramref name="Parameter"/> (an <c>int</c>).</summary>
    public sealed record KGatherLength(int Parameter) : KExpr(ScalarType.Int);

    /// <summary>A statement of kernel code.</summary>
    public abstract record KStmt;

    /// <summary><c>T name = initializer;</c> (or no initializer).</summary>
    public sealed record KDeclare(ScalarType Type, string Name, KExpr? Initializer) : KStmt;

    /// <summary>
    /// <c>target = value;</c> where target is a <see cref="KLocalRef"/> or a scalar <see cref="KParameterRef"/> and value
    /// has its type. Compound assignments, <c>++</c> and <c>--</c> are lowered to this (<c>b += 1</c> on a byte is
    /// <c>b = (byte)((int)b + 1)</c>).
    /// </summary>
    public sealed record KAssign(KExpr Target, KExpr Value) : KStmt;

    /// <summary><c>if (condition) then else otherwise</c>.</summary>
    public sealed record KIf(KExpr Condition, KStmt Then, KStmt? Else) : KStmt;

    /// <summary><c>for (initializers; condition; incrementors) body</c>; a null condition is <c>true</c>.</summary>
    public sealed record KFor(EquatableArray<KStmt> Initializers, KExpr? Condition, EquatableArray<KStmt> Incrementors, KStmt Body) : KStmt;

    /// <summary><c>while (condition) body</c>.</summary>
    public sealed record KWhile(KExpr Condition, KStmt Body) : KStmt;

    /// <summary><c>do body while (condition);</c>.</summary>
    public sealed record KDoWhile(KStmt Body, KExpr Condition) : KStmt;

    /// <summary><c>break;</c> out of the innermost loop.</summary>
    public sealed record KBreak : KStmt;

    /// <summary><c>continue;</c> with the innermost loop (a <see cref="KFor"/> runs its incrementors first).</summary>
    public sealed record KContinue : KStmt;

    /// <summary><c>return value;</c> (every body returns a value).</summary>
    public sealed record KReturn(KExpr Value) : KStmt;

    /// <summary><c>{ statements }</c>, a scope for the locals declared in it.</summary>
    public sealed record KBlock(EquatableArray<KStmt> Statements) : KStmt;

    /// <summary>An expression evaluated for nothing (a call whose result is discarded).</summary>
    public sealed record KExpressionStatement(KExpr Expression) : KStmt;

    /// <summary>A parameter of a kernel or helper body.</summary>
    /// <param name="Name">The C# name.</param>
    /// <param name="Type">The scalar type, or a gather's element type.</param>
    /// <param name="Kind">Scalar, gather or index.</param>
    public sealed record KParameter(string Name, ScalarType Type, KParameterKind Kind);

    /// <summary>The translated body of a kernel, reduction or helper method.</summary>
    /// <param name="Name">A stable unique name: the method's documentation comment id, e.g. <c>M:Ns.Filters.Luma(System.Single)</c>.</param>
    /// <param name="MethodName">The C# method name, for readable emitted names.</param>
    /// <param name="Parameters">The parameters in declaration order (<see cref="KParameterRef.Index"/> indexes them).</param>
    /// <param name="ReturnType">The return type.</param>
    /// <param name="Body">The statements; an expression-bodied method is one <see cref="KReturn"/>.</param>
    public sealed record KernelBody(string Name, string MethodName, EquatableArray<KParameter> Parameters, ScalarType ReturnType, KBlock Body);

    /// <summary>A kernel and every helper it calls, transitively.</summary>
    /// <param name="Kernel">The kernel's (or reduction's) own body.</param>
    /// <param name="Helpers">The helpers, each after every helper it calls, so emitters can define them in this order.</param>
    public sealed record KernelProgram(KernelBody Kernel, EquatableArray<KernelBody> Helpers);
}
